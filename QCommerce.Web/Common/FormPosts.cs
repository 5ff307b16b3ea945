using Microsoft.AspNetCore.Antiforgery;

namespace QCommerce.Web.Common;

/// <summary>
/// The storefront's plain form posts (add to cart, sign out, remove an address, reorder) act on the
/// signed-in shopper's cookie, so each must prove the form came from one of our pages (architecture §7).
/// The framework checks the token only where a handler binds a [FromForm] value; this checks every one.
/// </summary>
public static class FormPosts
{
    /// <summary>
    /// Right after the antiforgery middleware: a form post whose token it refused is answered 400 here, before any
    /// endpoint runs, so the storefront's status page explains it (a Blazor page would answer an empty 400 itself).
    /// </summary>
    public static IApplicationBuilder UseAntiforgeryRefusals(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false }
            && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return Task.CompletedTask;
        }
        return next(context);
    });

    public static TBuilder RequireAntiforgeryToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new RequireAntiforgeryTokenAttribute());
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // The middleware validated form posts already; anything else (text/plain, no body) is validated here.
            var valid = http.Features.Get<IAntiforgeryValidationFeature>()?.IsValid
                ?? await http.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(http);
            if (!valid) throw new BadHttpRequestException("The form carried no valid antiforgery token; nothing was done.", StatusCodes.Status400BadRequest);
            return await next(context);
        });
        return builder;
    }

    /// <summary>
    /// Reads a form body, taking a body that only claims to be one (multipart without a boundary, cut off before its
    /// last boundary), or is not one at all (JSON), as the client's mistake: a 400 problem, never a 500. No body at all
    /// is an empty form, as Stripe takes a POST without parameters.
    /// </summary>
    public static async Task<IFormCollection> ReadFormOrRejectAsync(this HttpRequest request, CancellationToken ct)
    {
        if (!request.HasFormContentType)
        {
            if (request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding")) return FormCollection.Empty;
            throw new BadHttpRequestException("The body must be a form (application/x-www-form-urlencoded or multipart/form-data).", StatusCodes.Status400BadRequest);
        }
        try
        {
            return await request.ReadFormAsync(ct);
        }
        catch (InvalidDataException ex)
        {
            throw new BadHttpRequestException($"The form body cannot be read: {ex.Message}", StatusCodes.Status400BadRequest, ex);
        }
        catch (IOException ex) when (ex is not BadHttpRequestException && !ct.IsCancellationRequested)
        {
            throw new BadHttpRequestException("The form body ended before it was complete.", StatusCodes.Status400BadRequest, ex);
        }
    }
}
