using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using QCommerce.Core.Identity;

namespace QCommerce.Web.Identity;

/// <summary>
/// A signed-in request counts only while its account's security stamp is the one its cookie or token was issued with.
/// A password reset or change, a new address, or an admin's lock changes the stamp, and with it every other device is
/// signed out at its next request: Identity's own check would wait up to half an hour for a cookie, and never looks at a
/// bearer token until it is refreshed. One primary-key read per signed-in request; anonymous requests cost nothing.
/// </summary>
public static class SecurityStampCheck
{
    public static IApplicationBuilder UseSecurityStampCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.User.Identity?.IsAuthenticated == true && !await IsCurrentAsync(context))
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity());
            // A browser's stale cookie is removed, so the next page does not ask again.
            if (context.Request.Cookies.ContainsKey(IdentitySetup.CookieName)) await context.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
        await next();
    });

    private static async Task<bool> IsCurrentAsync(HttpContext context)
    {
        var claims = context.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var userId = context.User.FindFirstValue(claims.UserIdClaimType);
        var stamp = context.User.FindFirstValue(claims.SecurityStampClaimType);
        if (userId is null || stamp is null) return true; // not one of Identity's sign-ins: nothing to compare
        var current = await context.RequestServices.GetRequiredService<SecurityStamps>().CurrentAsync(userId, context.RequestAborted);
        return current is not null && string.Equals(current, stamp, StringComparison.Ordinal);
    }
}
