using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>
/// The Idempotency-Key rule of architecture §4 at the edge, once for every route that needs one: exactly one
/// header, printable ASCII, at most <see cref="IdempotencyGuard.MaxKeyLength"/> characters. Two headers
/// would otherwise bind as one key ("k1,k2"), which neither of the client's retries would ever send again.
/// </summary>
public static class IdempotencyKeys
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static RouteHandlerBuilder RequireIdempotencyKey(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        var values = context.HttpContext.Request.Headers[Header];
        var problem = values.Count > 1
            ? $"Send one {Header} header; this request has {values.Count}."
            : IdempotencyGuard.CheckKey(values.ToString());
        if (problem is not null)
            return Results.ValidationProblem(new Dictionary<string, string[]> { [Header] = [problem] }, title: "The request has invalid fields");
        return await next(context);
    });
}
