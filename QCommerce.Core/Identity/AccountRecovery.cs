using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;

namespace QCommerce.Core.Identity;

/// <summary>The names of the account links' token providers, and how long each link works.</summary>
public static class AccountTokens
{
    /// <summary>A password reset link: one hour, and one use (the reset changes the security stamp the token was made with).</summary>
    public const string PasswordResetProvider = "PasswordReset";
    public static readonly TimeSpan PasswordResetLifespan = TimeSpan.FromHours(1);

    /// <summary>A staff invitation: three days to choose a password, and one use.</summary>
    public const string InvitationProvider = "Invitation";
    public const string InvitationPurpose = "AcceptInvitation";
    public static readonly TimeSpan InvitationLifespan = TimeSpan.FromDays(3);

    /// <summary>Confirming an address (new account, or a changed one): three days.</summary>
    public static readonly TimeSpan ConfirmationLifespan = TimeSpan.FromDays(3);

    /// <summary>A token as it travels in a link: base64url of its UTF-8, so no character needs escaping.</summary>
    public static string Encode(string token) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(token));

    /// <summary>The token a link carried, or null when it is not one of ours.</summary>
    public static string? Decode(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Length > 2048) return null;
        try
        {
            return Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(code));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>
/// What the links of account messages do: confirm an address, set a new password (a reset, or a colleague's invitation),
/// and change an address once the new one is confirmed; and changing a password while signed in. Every refusal is one
/// sentence the page or the API shows; a link that is used, expired or altered is refused alike, naming no account.
/// </summary>
public sealed class AccountRecovery(UserManager<AppUser> users)
{
    public const string LinkRefused = "This link has expired or was already used.";

    public async Task ConfirmEmailAsync(string? userId, string? code)
    {
        var user = await FindAsync(userId);
        if (user is { EmailConfirmed: true }) throw new DomainException("This address is confirmed already.");
        if (user is null || AccountTokens.Decode(code) is not { } token || !(await users.ConfirmEmailAsync(user, token)).Succeeded)
            throw new DomainException(LinkRefused);
    }

    /// <summary>Moves the account to the new address its link was made for (the address is also the user name).</summary>
    public async Task ChangeEmailAsync(string? userId, string? newEmail, string? code)
    {
        var user = await FindAsync(userId);
        var email = newEmail?.Trim() ?? "";
        if (user is null || email.Length == 0 || AccountTokens.Decode(code) is not { } token) throw new DomainException(LinkRefused);
        if (string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase) && user.EmailConfirmed)
            throw new DomainException("Your account uses this address already.");
        if (await users.FindByEmailAsync(email) is { } other && other.Id != user.Id)
            throw new DomainException("Another account uses this address now; the change was not made.");
        var changed = await users.ChangeEmailAsync(user, email, token);
        if (!changed.Succeeded) throw new DomainException(LinkRefused);
        await users.SetUserNameAsync(user, email);
    }

    /// <summary>Sets the password a reset link or an invitation was sent for; the link cannot be used again.</summary>
    public async Task ResetPasswordAsync(string? userId, string? code, string? newPassword, bool invitation)
    {
        var user = await FindAsync(userId);
        var token = AccountTokens.Decode(code);
        if (user is null || token is null) throw new DomainException(LinkRefused);
        var password = CheckPassword(newPassword);
        if (invitation)
        {
            if (!await users.VerifyUserTokenAsync(user, AccountTokens.InvitationProvider, AccountTokens.InvitationPurpose, token))
                throw new DomainException(LinkRefused);
            // The invitation is proof enough; a reset token of the moment lets Identity set the password and change the stamp.
            token = await users.GeneratePasswordResetTokenAsync(user);
            if (!user.EmailConfirmed) await users.ConfirmEmailAsync(user, await users.GenerateEmailConfirmationTokenAsync(user));
        }
        var result = await users.ResetPasswordAsync(user, token, password);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken))) throw new DomainException(LinkRefused);
        ThrowIfFailed(result);
        // Whoever held the old password is signed out everywhere (the stamp changed); a lockout for wrong guesses ends, an
        // admin's lock of a colleague (until the end of time) does not.
        await users.ResetAccessFailedCountAsync(user);
        if (user.LockoutEnd is { } end && end < DateTimeOffset.UtcNow.AddDays(1)) await users.SetLockoutEndDateAsync(user, null);
    }

    /// <summary>
    /// The current password, asked before an address or a password changes while signed in. Wrong answers count as
    /// sign-in failures do (five lock the account for a quarter of an hour), so a session left open is no way to guess it.
    /// </summary>
    public async Task VerifyPasswordAsync(string userId, string? currentPassword)
    {
        var user = await FindAsync(userId) ?? throw new NotFoundException("Account", userId);
        if (await users.IsLockedOutAsync(user))
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["oldPassword"] = ["Too many wrong passwords: wait a quarter of an hour, or reset it by e-mail."] });
        if (string.IsNullOrEmpty(currentPassword)) throw new RequestRejectedException(new Dictionary<string, string[]> { ["oldPassword"] = ["Enter your current password."] });
        if (!await users.CheckPasswordAsync(user, currentPassword))
        {
            await users.AccessFailedAsync(user);
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["oldPassword"] = ["That is not your current password."] });
        }
        await users.ResetAccessFailedCountAsync(user);
    }

    /// <summary>Refuses a new password the change would refuse (length, Identity's rules), before anything else is changed.</summary>
    public async Task CheckNewPasswordAsync(string userId, string? newPassword)
    {
        var password = CheckPassword(newPassword);
        var user = await FindAsync(userId) ?? throw new NotFoundException("Account", userId);
        foreach (var validator in users.PasswordValidators) ThrowIfFailed(await validator.ValidateAsync(users, user, password));
    }

    public async Task ChangePasswordAsync(string userId, string? currentPassword, string? newPassword)
    {
        var password = CheckPassword(newPassword);
        await VerifyPasswordAsync(userId, currentPassword);
        var user = await FindAsync(userId) ?? throw new NotFoundException("Account", userId);
        ThrowIfFailed(await users.ChangePasswordAsync(user, currentPassword!, password));
    }

    // Account ids are GUIDs (Identity's default); anything else, such as a NUL that PostgreSQL's text refuses, is no account.
    private async Task<AppUser?> FindAsync(string? userId) =>
        Guid.TryParse(userId, out _) ? await users.FindByIdAsync(userId!) : null;

    private static string CheckPassword(string? password)
    {
        var problem = string.IsNullOrEmpty(password) ? "Choose a password."
            : password.Length > AccountService.MaxPasswordLength ? $"Use at most {AccountService.MaxPasswordLength} characters."
            : password.Contains('\0') ? "A password cannot contain the NUL character."
            : null;
        if (problem is not null) throw new RequestRejectedException(new Dictionary<string, string[]> { ["newPassword"] = [problem] });
        return password!;
    }

    private static void ThrowIfFailed(IdentityResult result)
    {
        if (result.Succeeded) return;
        throw new RequestRejectedException(result.Errors.GroupBy(e => e.Code).ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
    }
}
