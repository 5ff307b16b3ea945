using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.Data;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;

namespace QCommerce.Web.Identity;

public sealed record RegisterAccountRequest(string? Email, string? Password, string? DisplayName);

public sealed record SignInRequest(string? Email, string? Password);

public sealed record RefreshTokenRequest(string? RefreshToken);

public sealed record AccountInfoDto(string Email, bool IsEmailConfirmed);

/// <summary>
/// The account endpoints the product supports (DESIGN §9): register, sign in for a bearer token,
/// refresh it, and who am I. The same wire shapes as ASP.NET Core's Identity API, without the parts
/// the product does not offer (two-factor, e-mail confirmation, password reset: there is no e-mail
/// sender), and every field validated before Identity sees it.
/// </summary>
public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder v1)
    {
        var auth = v1.MapGroup("/auth").WithTags("Auth");

        auth.MapPost("/register", async Task<IResult> ([FromBody] RegisterAccountRequest? body, AccountService accounts, RateLimits limits,
            ILookupNormalizer normalizer, CancellationToken ct) =>
        {
            if (body is null) return Problem("body", "Send {\"email\": \"…\", \"password\": \"…\"}.");
            if (!string.IsNullOrWhiteSpace(body.Email)) limits.Enforce(RateLimitPolicies.RegistrationPerAccount, RateLimits.AccountKey(normalizer, body.Email));
            try
            {
                await accounts.RegisterAsync(new RegistrationInput(body.Email, body.Password, body.DisplayName), ct);
            }
            catch (RequestRejectedException rejected)
            {
                return Results.ValidationProblem(rejected.Errors, title: "The account was not created");
            }
            return Results.Ok();
        })
        .RequireRateLimiting(RateLimitPolicies.RegistrationPerClient)
        .WithSummary("Creates a shopper's account; sign in next with /v1/auth/login.")
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

        auth.MapGet("/manage/info", async Task<Results<Ok<AccountInfoDto>, NotFound>> (ClaimsPrincipal principal, UserManager<AppUser> users) =>
            await users.GetUserAsync(principal) is { } user
                ? TypedResults.Ok(new AccountInfoDto(user.Email ?? "", user.EmailConfirmed))
                : TypedResults.NotFound())
        .RequireAuthorization()
        .WithSummary("The signed-in account.");

        return v1;
    }

    private static IResult Problem(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: "The request has invalid fields");
}
