using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QCommerce.Core.Data;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;

namespace QCommerce.Web.Identity;

public static class IdentitySetup
{
    /// <summary>
    /// Who a request is: on /v1 only a bearer token counts (architecture §9). The storefront's cookie is not accepted there,
    /// because the API takes no antiforgery token: a page on any same-site origin could otherwise make the shopper's
    /// browser cancel (and so refund) an order. Everywhere else, the browser's cookie (or a bearer token, if sent).
    /// </summary>
    public const string ApiScheme = "ApiOrCookie";

    /// <summary>The storefront's and the ops portal's sign-in cookie.</summary>
    public const string CookieName = "qc_auth";

    public static IServiceCollection AddQCommerceIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddAuthentication(o =>
            {
                // Every request is authenticated by the bearer token it carries, else by the browser's cookie.
                o.DefaultScheme = ApiScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddBearerToken(IdentityConstants.BearerScheme)
            .AddPolicyScheme(ApiScheme, "Bearer token on /v1, else cookie", o => o.ForwardDefaultSelector = context =>
                Common.ApiPaths.IsApi(context.Request.Path)
                || context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? IdentityConstants.BearerScheme
                    : IdentityConstants.ApplicationScheme)
            .AddIdentityCookies();

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                // The user name is the email, which AccountService has already judged; Identity's letters-and-digits rule
                // would refuse valid addresses (a!b@example.com) with a message that quotes the whole of it.
                o.User.AllowedUserNameCharacters = "";
                o.SignIn.RequireConfirmedAccount = false;
                o.Password.RequiredLength = 8;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequireUppercase = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                o.Tokens.PasswordResetTokenProvider = AccountTokens.PasswordResetProvider;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<QCommerceDbContext>()
            .AddSignInManager()
            .AddDefaultTokenProviders()
            .AddTokenProvider<PasswordResetTokenProvider>(AccountTokens.PasswordResetProvider)
            .AddTokenProvider<InvitationTokenProvider>(AccountTokens.InvitationProvider);
        // Each link lives as long as AccountTokens says: the default provider's (address confirmations) three days, a reset an hour.
        services.Configure<DataProtectionTokenProviderOptions>(o => o.TokenLifespan = AccountTokens.ConfirmationLifespan);
        services.Configure<PasswordResetTokenProviderOptions>(o =>
        {
            o.Name = AccountTokens.PasswordResetProvider;
            o.TokenLifespan = AccountTokens.PasswordResetLifespan;
        });
        services.Configure<InvitationTokenProviderOptions>(o =>
        {
            o.Name = AccountTokens.InvitationProvider;
            o.TokenLifespan = AccountTokens.InvitationLifespan;
        });

        services.ConfigureApplicationCookie(o =>
        {
            o.LoginPath = "/account/login";
            o.LogoutPath = "/account/logout";
            o.AccessDeniedPath = "/account/access-denied";
            o.Cookie.Name = CookieName;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.SlidingExpiration = true;
            o.ExpireTimeSpan = TimeSpan.FromDays(14);
            // An API call without a valid cookie is told 401/403, not redirected to an HTML login page.
            o.Events.OnRedirectToLogin = c => ApiAware(c, StatusCodes.Status401Unauthorized);
            o.Events.OnRedirectToAccessDenied = c => ApiAware(c, StatusCodes.Status403Forbidden);
        });
        services.AddDataProtection().PersistKeysToDbContext<QCommerceDbContext>().SetApplicationName("QCommerce");
        // Staff policies ask the staff directory on every request, never the role claims a cookie or token carries (StaffAccess.cs).
        services.AddScoped<Microsoft.AspNetCore.Authorization.IAuthorizationHandler, CurrentStaffHandler>();
        var policies = services.AddAuthorizationBuilder();
        foreach (var (name, roles) in StaffPolicies.All)
            policies.AddPolicy(name, p => p.RequireAuthenticatedUser().AddRequirements(new CurrentStaffRequirement(roles)));
        services.AddTransient<AdminAccountSeeder>();
        return services;
    }

    private static Task ApiAware(RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> context, int status)
    {
        if (Common.ApiPaths.IsApi(context.Request.Path)) context.Response.StatusCode = status;
        else context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>Browser account actions that are plain form posts: sign out, and managing saved addresses.</summary>
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/logout", async (SignInManager<AppUser> signIn, [FromForm] string? returnUrl) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect(ReturnUrls.Safe(returnUrl));
        }).RequireAntiforgeryToken().ExcludeFromDescription();

        var addresses = app.MapGroup("/account/addresses").RequireAuthorization().RequireAntiforgeryToken().ExcludeFromDescription();
        addresses.MapPost("/{id:int}/remove", (int id, HttpContext http, UserManager<AppUser> users, AddressBookService book) =>
            ChangeAddressAsync(() => book.RemoveAsync(users.GetUserId(http.User)!, id), "/account?removed=1"));
        addresses.MapPost("/{id:int}/default", (int id, HttpContext http, UserManager<AppUser> users, AddressBookService book) =>
            ChangeAddressAsync(() => book.MakeDefaultAsync(users.GetUserId(http.User)!, id), "/account"));
        return app;
    }

    /// <summary>
    /// An address that is gone, or someone else's, is not an error page: the shopper lands back on their
    /// account with a message, and nothing changed.
    /// </summary>
    private static async Task<IResult> ChangeAddressAsync(Func<Task> change, string done)
    {
        try
        {
            await change();
            return Results.LocalRedirect(done);
        }
        catch (QCommerce.Core.Common.NotFoundException)
        {
            return Results.LocalRedirect("/account?missing=1");
        }
    }
}

public sealed class PasswordResetTokenProviderOptions : DataProtectionTokenProviderOptions;

/// <summary>Reset links: Identity's data-protected tokens, with a lifespan of their own (one hour).</summary>
public sealed class PasswordResetTokenProvider(IDataProtectionProvider protection, IOptions<PasswordResetTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<AppUser>> logger) : DataProtectorTokenProvider<AppUser>(protection, options, logger);

public sealed class InvitationTokenProviderOptions : DataProtectionTokenProviderOptions;

/// <summary>Staff invitations: three days to choose a password.</summary>
public sealed class InvitationTokenProvider(IDataProtectionProvider protection, IOptions<InvitationTokenProviderOptions> options,
    ILogger<DataProtectorTokenProvider<AppUser>> logger) : DataProtectorTokenProvider<AppUser>(protection, options, logger);
