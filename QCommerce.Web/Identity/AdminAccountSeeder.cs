using Microsoft.AspNetCore.Identity;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;

namespace QCommerce.Web.Identity;

/// <summary>
/// Makes sure the roles exist and that there is an admin to sign in with. With no
/// <c>Admin:Password</c> configured, a strong one is generated and shown once, at the first start.
/// </summary>
public sealed partial class AdminAccountSeeder(UserManager<AppUser> users, RoleManager<IdentityRole> roles,
    IConfiguration configuration, TimeProvider clock, ILogger<AdminAccountSeeder> logger)
{
    public const string DefaultEmail = "admin@qcommerce.local";

    public sealed record Outcome(string Email, string? GeneratedPassword, bool Created);

    public async Task<Outcome> EnsureAdminAsync()
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));

        var email = configuration["Admin:Email"] is { Length: > 0 } configured ? configured : DefaultEmail;
        if (await users.FindByEmailAsync(email) is { } existing)
        {
            foreach (var role in Roles.All)
                if (!await users.IsInRoleAsync(existing, role)) await users.AddToRoleAsync(existing, role);
            return new Outcome(email, null, Created: false);
        }

        var password = configuration["Admin:Password"];
        var generated = string.IsNullOrEmpty(password);
        if (generated) password = Passwords.Generate();
        var admin = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Admin", CreatedAtUtc = clock.GetUtcNow().UtcDateTime };
        var result = await users.CreateAsync(admin, password!);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Cannot create the admin account {email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        await users.AddToRolesAsync(admin, Roles.All);
        LogCreated(logger, email);
        return new Outcome(email, generated ? password : null, Created: true);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the admin account {Email}")]
    private static partial void LogCreated(ILogger logger, [Personal] string email);
}
