using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Messages;
using QCommerce.Web.Common;

namespace QCommerce.Web.Identity;

public sealed record RegisterAccountRequest(string? Email, string? Password, string? DisplayName);

public sealed record SignInRequest(string? Email, string? Password);

public sealed record RefreshTokenRequest(string? RefreshToken);

public sealed record AccountInfoDto(string Email, bool IsEmailConfirmed);

public sealed record EmailRequest(string? Email);

public sealed record ResetPasswordRequest(string? Email, string? ResetCode, string? NewPassword);

public sealed record InfoChangeRequest(string? NewEmail, string? NewPassword, string? OldPassword);

/// <summary>
/// The account endpoints the product supports (architecture §9): register, sign in for a bearer token, refresh it, who am I,
/// confirm the address, reset a forgotten password, change the address or the password. The same routes and wire shapes
/// as ASP.NET Core's Identity API, without two-factor, and every field validated before Identity sees it. The links in
/// the messages open the storefront's pages; their codes are the ones these routes take.
/// </summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder v1)
    {
        var auth = v1.MapGroup("/auth").WithTags("Auth");

        auth.MapPost("/register", async Task<IResult> ([FromBody] RegisterAccountRequest? body, AccountService accounts, AccountMail mail, RateLimits limits,
            ILookupNormalizer normalizer, CancellationToken ct) =>
        {
            if (body is null) return Problem("body", "Send {\"email\": \"…\", \"password\": \"…\"}.");
            if (!string.IsNullOrWhiteSpace(body.Email)) limits.Enforce(RateLimitPolicies.RegistrationPerAccount, RateLimits.AccountKey(normalizer, body.Email));
            try
            {
                var user = await accounts.RegisterAsync(new RegistrationInput(body.Email, body.Password, body.DisplayName), ct);
                await mail.SendConfirmationAsync(user, ct);
            }
            catch (RequestRejectedException rejected)
            {
                return Results.ValidationProblem(rejected.Errors, title: "The account was not created");
            }
            return Results.Ok();
        })
        .RequireRateLimiting(RateLimitPolicies.RegistrationPerClient)
        .WithSummary("Creates a shopper's account and sends a link to confirm its address (shopping does not wait for it); sign in next with /v1/auth/login.")
        .Accepts<RegisterAccountRequest>("application/json")
        .Produces(200).ProducesValidationProblem().ProducesProblem(429);

        auth.MapPost("/login", async Task<IResult> ([FromBody] SignInRequest? body, SignInManager<AppUser> signIn, RateLimits limits,
            ILookupNormalizer normalizer) =>
        {
            var errors = new ProblemList();
            if (TextRules.Problem(body?.Email, AccountService.MaxEmailLength, "email") is { } emailProblem) errors.Add("email", emailProblem);
            else if (string.IsNullOrWhiteSpace(body?.Email)) errors.Add("email", "email is required.");
            if (string.IsNullOrEmpty(body?.Password)) errors.Add("password", "password is required.");
            else if (body.Password.Length > AccountService.MaxPasswordLength) errors.Add("password", "That is not a password of this shop.");
            if (errors.Any) return errors.ToProblem();
            limits.Enforce(RateLimitPolicies.SignInPerAccount, RateLimits.AccountKey(normalizer, body!.Email!));

            // Only a bearer token: /v1 does not accept the storefront's cookie (see IdentitySetup.ApiScheme).
            signIn.AuthenticationScheme = IdentityConstants.BearerScheme;
            var result = await signIn.PasswordSignInAsync(body.Email!.Trim(), body.Password!, isPersistent: false, lockoutOnFailure: true);
            // The token is written by the sign-in itself.
            return result.Succeeded ? Results.Empty : Results.Problem(result.ToString(), statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed");
        })
        .RequireRateLimiting(RateLimitPolicies.SignInPerClient)
        .WithSummary("Signs in: returns a bearer accessToken, its expiresIn and a refreshToken.")
        .Accepts<SignInRequest>("application/json")
        .Produces<AccessTokenResponse>().ProducesValidationProblem().ProducesProblem(401).ProducesProblem(429);

        auth.MapPost("/refresh", async Task<IResult> ([FromBody] RefreshTokenRequest? body, SignInManager<AppUser> signIn,
            IOptionsMonitor<BearerTokenOptions> bearer, TimeProvider clock) =>
        {
            if (string.IsNullOrWhiteSpace(body?.RefreshToken)) return Problem("refreshToken", "refreshToken is required.");
            // A refresh token is a few hundred characters; anything far longer is not one of ours.
            var ticket = body.RefreshToken.Length > 4096 ? null : bearer.Get(IdentityConstants.BearerScheme).RefreshTokenProtector.Unprotect(body.RefreshToken);
            if (ticket?.Properties.ExpiresUtc is not { } expires || clock.GetUtcNow() >= expires
                || await signIn.ValidateSecurityStampAsync(ticket.Principal) is not { } user)
                return Results.Problem("The refresh token is not valid or has expired; sign in again.", statusCode: StatusCodes.Status401Unauthorized,
                    title: "Refresh refused");
            return Results.SignIn(await signIn.CreateUserPrincipalAsync(user), authenticationScheme: IdentityConstants.BearerScheme);
        })
        .RequireRateLimiting(RateLimitPolicies.SignInPerClient)
        .WithSummary("A new access token for a refresh token.")
        .Accepts<RefreshTokenRequest>("application/json")
        .Produces<AccessTokenResponse>().ProducesValidationProblem().ProducesProblem(401);

        auth.MapPost("/forgotPassword", async Task<IResult> ([FromBody] EmailRequest? body, AccountMail mail, RateLimits limits, ILookupNormalizer normalizer,
            CancellationToken ct) =>
        {
            if (EmailProblem(body?.Email) is { } problem) return problem;
            limits.Enforce(RateLimitPolicies.AccountMailPerAccount, RateLimits.AccountKey(normalizer, body!.Email!));
            await mail.RequestPasswordResetAsync(body.Email, ct);
            return Results.Ok(); // the same answer whether or not the address has an account
        })
        .RequireRateLimiting(RateLimitPolicies.AccountMailPerClient)
        .WithSummary("Sends a one-hour, one-use reset link if the address has an account; answers 200 either way.")
        .Accepts<EmailRequest>("application/json")
        .Produces(200).ProducesValidationProblem().ProducesProblem(429);

        auth.MapPost("/resetPassword", async Task<IResult> ([FromBody] ResetPasswordRequest? body, UserManager<AppUser> users, AccountRecovery recovery,
            RateLimits limits, ILookupNormalizer normalizer) =>
        {
            if (EmailProblem(body?.Email) is { } problem) return problem;
            if (string.IsNullOrWhiteSpace(body!.ResetCode)) return Problem("resetCode", "resetCode is required.");
            limits.Enforce(RateLimitPolicies.SignInPerAccount, RateLimits.AccountKey(normalizer, body.Email!));
            var user = await users.FindByEmailAsync(body.Email!.Trim());
            try
            {
                await recovery.ResetPasswordAsync(user?.Id ?? "", body.ResetCode, body.NewPassword, invitation: false);
            }
            catch (RequestRejectedException rejected)
            {
                return Results.ValidationProblem(rejected.Errors, title: "The password was not set");
            }
            catch (DomainException refused)
            {
                return Problem("resetCode", refused.Message);
            }
            return Results.Ok();
        })
        .RequireRateLimiting(RateLimitPolicies.SignInPerClient)
        .WithSummary("Sets a new password with the code of a reset link; the code cannot be used again.")
        .Accepts<ResetPasswordRequest>("application/json")
        .Produces(200).ProducesValidationProblem().ProducesProblem(429);

        auth.MapGet("/confirmEmail", async Task<IResult> (string? userId, string? code, string? changedEmail, AccountRecovery recovery) =>
        {
            try
            {
                if (changedEmail is null) await recovery.ConfirmEmailAsync(userId, code);
                else await recovery.ChangeEmailAsync(userId, changedEmail, code);
            }
            catch (DomainException refused)
            {
                return Results.Problem(refused.Message, statusCode: StatusCodes.Status401Unauthorized, title: "Confirmation refused");
            }
            return Results.Text("Thank you for confirming your email.");
        })
        .WithSummary("Confirms an address (or a change of address, with changedEmail) with the code of its link.")
        .Produces<string>(200, "text/plain").ProducesProblem(401);

        auth.MapPost("/resendConfirmationEmail", async Task<IResult> ([FromBody] EmailRequest? body, UserManager<AppUser> users, AccountMail mail,
            RateLimits limits, ILookupNormalizer normalizer, CancellationToken ct) =>
        {
            if (EmailProblem(body?.Email) is { } problem) return problem;
            limits.Enforce(RateLimitPolicies.AccountMailPerAccount, RateLimits.AccountKey(normalizer, body!.Email!));
            if (await users.FindByEmailAsync(body.Email!.Trim()) is { } user) await mail.SendConfirmationAsync(user, ct);
            return Results.Ok(); // the same answer whether or not the address has an account
        })
        .RequireRateLimiting(RateLimitPolicies.AccountMailPerClient)
        .WithSummary("Sends the confirmation link again if the address has an unconfirmed account; answers 200 either way.")
        .Accepts<EmailRequest>("application/json")
        .Produces(200).ProducesValidationProblem().ProducesProblem(429);

        auth.MapPost("/manage/info", async Task<IResult> ([FromBody] InfoChangeRequest? body, ClaimsPrincipal principal, UserManager<AppUser> users,
            AccountRecovery recovery, AccountMail mail, RateLimits limits, ILookupNormalizer normalizer, CancellationToken ct) =>
        {
            if (await users.GetUserAsync(principal) is not { } user) return Results.NotFound();
            var newEmail = string.IsNullOrWhiteSpace(body?.NewEmail) ? null : body.NewEmail.Trim();
            if (body is null || (newEmail is null && string.IsNullOrEmpty(body.NewPassword)))
                return Problem("body", "Send {\"newEmail\": \"…\", \"oldPassword\": \"…\"} and/or {\"newPassword\": \"…\", \"oldPassword\": \"…\"}.");
            if (newEmail is not null && AccountService.EmailProblem(newEmail) is { } emailProblem) return Problem("newEmail", emailProblem);
            try
            {
                // Both changes need the current password, checked once (wrong answers count towards the lockout), before either.
                limits.Enforce(RateLimitPolicies.SignInPerAccount, user.Id);
                await recovery.VerifyPasswordAsync(user.Id, body.OldPassword);
                if (!string.IsNullOrEmpty(body.NewPassword)) await recovery.CheckNewPasswordAsync(user.Id, body.NewPassword);
                if (newEmail is not null)
                {
                    limits.Enforce(RateLimitPolicies.AccountMailPerAccount, user.Id);
                    limits.Enforce(RateLimitPolicies.AccountMailPerAccount, RateLimits.AccountKey(normalizer, newEmail)); // the recipient's allowance
                    await mail.SendEmailChangeAsync(user.Id, newEmail, ct);
                }
                if (!string.IsNullOrEmpty(body.NewPassword)) await recovery.ChangePasswordAsync(user.Id, body.OldPassword, body.NewPassword);
            }
            catch (RequestRejectedException rejected)
            {
                return Results.ValidationProblem(rejected.Errors, title: "The account was not changed");
            }
            var now = await users.FindByIdAsync(user.Id);
            return TypedResults.Ok(new AccountInfoDto(now?.Email ?? "", now?.EmailConfirmed ?? false));
        })
        .RequireAuthorization()
        .WithSummary("Changes the password (newPassword with oldPassword), or asks the new address to confirm itself (newEmail with oldPassword).")
        .Accepts<InfoChangeRequest>("application/json")
        .Produces<AccountInfoDto>().ProducesValidationProblem().ProducesProblem(429);

        auth.MapGet("/manage/info", async Task<Results<Ok<AccountInfoDto>, NotFound>> (ClaimsPrincipal principal, UserManager<AppUser> users) =>
            await users.GetUserAsync(principal) is { } user
                ? TypedResults.Ok(new AccountInfoDto(user.Email ?? "", user.EmailConfirmed))
                : TypedResults.NotFound())
        .RequireAuthorization()
        .WithSummary("The signed-in account.");

        return v1;
    }

    // What the sign-up form says of an address: no account can have one that is not an address, so nothing is looked up.
    private static IResult? EmailProblem(string? email) =>
        AccountService.EmailProblem(email) is { } problem ? Problem("email", problem) : null;

    private static IResult Problem(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request has invalid fields");
}
