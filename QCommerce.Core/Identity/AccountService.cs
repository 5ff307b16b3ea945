using System.Net.Mail;
using Microsoft.AspNetCore.Identity;

namespace QCommerce.Core.Identity;

/// <summary>What the sign-up form and <c>POST /v1/auth/register</c> send.</summary>
public sealed record RegistrationInput(string? Email, string? Password, string? DisplayName);

/// <summary>
/// Creating a shopper's account: one place for the storefront's sign-up page and the API, so both
/// validate the same way and write the same fields.
/// </summary>
public sealed class AccountService(UserManager<AppUser> users, TimeProvider clock)
{
    public const int MaxEmailLength = 254;
    public const int MaxPasswordLength = 100;
    public const int MaxDisplayNameLength = 80;

    /// <summary>
    /// Creates the account, or throws <see cref="RequestRejectedException"/> with every problem keyed by
    /// field (<c>email</c>, <c>password</c>, <c>displayName</c>); Identity's own refusals keep its codes
    /// (<c>DuplicateUserName</c>, <c>PasswordRequiresDigit</c>, ...), as the Identity API answered them.
    /// </summary>
    public async Task<AppUser> RegisterAsync(RegistrationInput input, CancellationToken ct = default)
    {
        var problems = new ProblemList();
        var email = input.Email?.Trim() ?? "";
        if (EmailProblem(email) is { } emailProblem) problems.Add("email", emailProblem);
        if (string.IsNullOrEmpty(input.Password)) problems.Add("password", "Choose a password.");
        else if (input.Password.Length > MaxPasswordLength) problems.Add("password", $"Use at most {MaxPasswordLength} characters.");
        else if (input.Password.Contains('\0')) problems.Add("password", "A password cannot contain the NUL character.");
        var name = input.DisplayName?.Trim() ?? "";
        if (name.Length > MaxDisplayNameLength) problems.Add("displayName", $"A name is at most {MaxDisplayNameLength} characters.");
        else if (TextRules.HasControlCharacters(name)) problems.Add("displayName", "A name cannot contain control characters.");
        problems.ThrowIfAny();

        ct.ThrowIfCancellationRequested();
        var user = new AppUser { UserName = email, Email = email, DisplayName = name, CreatedAtUtc = clock.UtcNow() };
        IdentityResult result;
        try
        {
            result = await users.CreateAsync(user, input.Password!);
        }
        catch (DbUpdateException)
        {
            // The same email signed up twice at once: both passed the uniqueness check, the unique index let one in.
            result = IdentityResult.Failed(users.ErrorDescriber.DuplicateUserName(email));
        }
        if (result.Succeeded) return user;

        // The email is the user name too, so Identity may name a taken one as either, or as both: say it once.
        string[] taken = [nameof(IdentityErrorDescriber.DuplicateUserName), nameof(IdentityErrorDescriber.DuplicateEmail)];
        if (result.Errors.Any(e => taken.Contains(e.Code)))
            problems.Add(nameof(IdentityErrorDescriber.DuplicateUserName), $"An account with {TextRules.Excerpt(email)} already exists. Sign in instead?");
        foreach (var error in result.Errors.Where(e => !taken.Contains(e.Code))) problems.Add(error.Code, error.Description);
        problems.ThrowIfAny();
        return user;
    }

    /// <summary>
    /// The account's phone number, for the rider and the store to call: checked and kept as E.164; blank removes it. Refused
    /// with a <c>phone</c> problem in the shopper's words.
    /// </summary>
    public async Task<string?> SetPhoneAsync(string userId, string? phone)
    {
        var e164 = Phones.Normalize(phone, out var problem);
        if (problem is not null) throw new RequestRejectedException(new Dictionary<string, string[]> { ["phone"] = [problem] });
        var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("Account", userId);
        // Not SetPhoneNumberAsync: it changes the security stamp, which signs the shopper out everywhere (SecurityStampCheck)
        // for a number the rider calls. It proves nothing about who they are, so it is not a sign-in matter.
        user.PhoneNumber = e164;
        user.PhoneNumberConfirmed = false;
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded) throw new DomainException(string.Join(" ", result.Errors.Select(e => e.Description)));
        return e164;
    }

    /// <summary>What is wrong with an address as a shopper typed it (trimmed), or null when it is one.</summary>
    public static string? EmailProblem(string? email)
    {
        email = email?.Trim() ?? "";
        if (email.Length == 0) return "Enter your email.";
        return email.Length > MaxEmailLength || TextRules.HasControlCharacters(email) || !IsEmail(email) ? "Enter a valid email address." : null;
    }

    private static bool IsEmail(string email) =>
        MailAddress.TryCreate(email, out var address) && address.Address == email && email.IndexOf('@') is > 0 && !email.EndsWith('@');
}
