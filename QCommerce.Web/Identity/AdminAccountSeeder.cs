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
            foreach (var role in Roles.Held(Roles.Admin))
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
        await users.AddToRolesAsync(admin, Roles.Held(Roles.Admin));
        LogCreated(logger, email);
        return new Outcome(email, generated ? password : null, Created: true);
    }

    /// <summary>
    /// A lost admin login, recovered by whoever runs the server (<c>dotnet QCommerce.Web.dll reset-admin-password</c>): the
    /// <c>Admin:Email</c> account gets <c>Admin:Password</c> or a new generated one, is unlocked, confirmed and an admin
    /// again (created if it is gone), and every session and token it had is signed out (its security stamp changes).
    /// </summary>
    public async Task<Outcome> ResetAsync()
    {
        var outcome = await EnsureAdminAsync();
        if (outcome.Created) return outcome;
        var admin = (await users.FindByEmailAsync(outcome.Email))!;
        var password = configuration["Admin:Password"];
        var generated = string.IsNullOrEmpty(password);
        if (generated) password = Passwords.Generate();
        var token = await users.GeneratePasswordResetTokenAsync(admin);
        var result = await users.ResetPasswordAsync(admin, token, password!);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Cannot reset the admin account's password: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        admin.EmailConfirmed = true;
        admin.LockoutEnd = null;
        admin.AccessFailedCount = 0;
        await users.UpdateAsync(admin);
        await users.UpdateSecurityStampAsync(admin);
        LogReset(logger, outcome.Email);
        return new Outcome(outcome.Email, generated ? password : null, Created: false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The admin account {Email} had its password reset from the command line; its sessions are signed out")]
    private static partial void LogReset(ILogger logger, [Personal] string email);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the admin account {Email}")]
    private static partial void LogCreated(ILogger logger, [Personal] string email);
}
