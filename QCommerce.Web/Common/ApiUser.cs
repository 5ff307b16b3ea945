using System.Security.Claims;

namespace QCommerce.Web.Common;

public static class ApiUser
{
    /// <summary>The signed-in caller's user id; routes that call it require authorization, so it is always there.</summary>
    public static string Id(ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The route requires a signed-in user.");
}
