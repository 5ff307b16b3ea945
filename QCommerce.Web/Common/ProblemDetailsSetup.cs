using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>
/// One place where an exception becomes an answer. API callers get RFC 7807 problem details;
/// a shopper gets the storefront's error page. Nothing a client sends may produce a 500.
/// </summary>
public sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!ApiPaths.IsApi(context.Request.Path)) return false;
        var (status, title) = exception switch
        {
            TooManyRequestsException => (StatusCodes.Status429TooManyRequests, "Too many requests"),
            NotFoundException => (StatusCodes.Status404NotFound, "Not found"),
            AccessDeniedException => (StatusCodes.Status403Forbidden, "Forbidden"),
            RequestRejectedException => (StatusCodes.Status422UnprocessableEntity, "The request cannot be carried out as asked"),
            IdempotencyKeyReusedException => (StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused"),
            ConflictException => (StatusCodes.Status409Conflict, "Conflict with the current state"),
            UnsupportedContentException => (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type"),
            QCommerce.Core.Payments.PaymentProviderUnavailableException => (StatusCodes.Status503ServiceUnavailable, "The payment provider is not answering"),
            DomainException => (StatusCodes.Status400BadRequest, "The request cannot be carried out"),
            BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode switch
            {
                415 => "Unsupported media type",
                413 => "Request too large",
                _ => "Malformed request",
            }),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side"),
        };
        if (exception is QCommerce.Core.Payments.PaymentProviderUnavailableException) context.Response.Headers.RetryAfter = "5";
        else if (exception is TooManyRequestsException tooMany)
            context.Response.Headers.RetryAfter = TooManyRequestsException.Seconds(tooMany.RetryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        else if (status >= 500) logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = exception is RequestRejectedException rejected
                ? new HttpValidationProblemDetails(rejected.Errors.ToDictionary(e => e.Key, e => e.Value)) { Status = status, Title = title, Detail = "Nothing was changed. Fix the problems listed under errors and try again." }
                : new ProblemDetails
            {
                Status = status,
                Title = title,
                // Our own messages are written for callers; a framework's inner message may not be.
                Detail = exception switch
                {
                    DomainException => exception.Message,
                    QCommerce.Core.Payments.PaymentProviderUnavailableException => exception.Message + " Nothing was charged; the order can still be paid.",
                    BadHttpRequestException { InnerException: System.Text.Json.JsonException json } => $"The body is not valid JSON: {json.Message}",
                    BadHttpRequestException => exception.Message,
                    _ => "The error has been logged; try again later.",
                },
            },
        });
    }
}

public static class ApiPaths
{
    /// <summary>
    /// The /v1 API, and the sandbox PSP's Stripe-shaped API: machine clients that want a status and a
    /// body, never the storefront's error page (a client that hangs up mid-body is a 400, not an error).
    /// </summary>
    public static bool IsApi(PathString path) => path.StartsWithSegments("/v1") || path.StartsWithSegments("/psp-sandbox/v1");
}

public static class ErrorHandlingExtensions
{
    public static IServiceCollection AddQCommerceProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            // The path as asked, but never pages of it: a 7,000-character id is not worth echoing.
            c.ProblemDetails.Instance ??= TextRules.Excerpt(c.HttpContext.Request.Path.Value, 200);
            // The framework names a type for the common statuses; 429 is RFC 6585's.
            if (c.ProblemDetails.Status == StatusCodes.Status429TooManyRequests) c.ProblemDetails.Type ??= "https://tools.ietf.org/html/rfc6585#section-4";
            // A path no route matches, an id of the wrong kind or shape included (/v1/orders/not-an-id), says so.
            if (c.ProblemDetails.Status == StatusCodes.Status404NotFound)
                c.ProblemDetails.Detail ??= "Nothing is found at this address: check the path and the id in it (ids look like o_12, sku_7).";
            c.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.Id ?? c.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ApiExceptionHandler>();
        return services;
    }

    /// <summary>
    /// A body in a charset the JSON reader will not decode ("charset=nonsense", UTF-7) would fail deep inside it as an
    /// InvalidOperationException or NotSupportedException. The API reads UTF-8, JSON's own encoding (RFC 8259), so any
    /// other charset is the client's 415, said before anything reads the body.
    /// </summary>
    private static async Task RefuseUnreadableCharsetsAsync(HttpContext context, RequestDelegate next)
    {
        if (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) && type.Charset is { Length: > 0 } given)
        {
            var charset = given.Value!.Trim('"');
            if (charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
            {
                // charset="utf-8" is the same as charset=utf-8, but the JSON reader only knows the latter.
                if (given.Value != "utf-8") context.Request.ContentType = $"{type.MediaType}; charset=utf-8";
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = 415, Title = "Unsupported media type", Detail = "Send the body as UTF-8 JSON (Content-Type: application/json)." },
            });
            return;
        }
        await next(context);
    }

    public static WebApplication UseQCommerceErrorHandling(this WebApplication app)
    {
        // The API answers with problem details, also for bodiless 4xx such as a failed route binding.
        app.UseWhen(c => ApiPaths.IsApi(c.Request.Path), api =>
        {
            api.UseExceptionHandler();
            api.UseStatusCodePages();
            api.Use(RefuseUnreadableCharsetsAsync);
        });
        app.UseWhen(c => !ApiPaths.IsApi(c.Request.Path), site =>
        {
            if (!app.Environment.IsDevelopment())
                site.UseExceptionHandler(new ExceptionHandlerOptions
                {
                    ExceptionHandlingPath = "/error",
                    CreateScopeForErrors = true,
                    // A malformed form or a missing antiforgery token is the client's 400, not our 500, and not an error to log.
                    StatusCodeSelector = e => e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
                    SuppressDiagnosticsCallback = c => c.Exception is BadHttpRequestException,
                });
            site.UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true);
            // The page that explains a failure is shown, not submitted to: a re-executed POST (a form refused for its
            // missing antiforgery token, say) would otherwise run Blazor's form handling and its token check again on
            // the error page itself, and end in an empty 400 or an error about the error page.
            site.Use((context, next) =>
            {
                if (context.Features.Get<IStatusCodeReExecuteFeature>() is not null || context.Features.Get<IExceptionHandlerFeature>() is not null)
                    context.Request.Method = HttpMethods.Get;
                return next(context);
            });
        });
        return app;
    }
}
