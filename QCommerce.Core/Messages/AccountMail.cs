using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Identity;
using QCommerce.Core.Data;
using QCommerce.Core.Identity;

namespace QCommerce.Core.Messages;

/// <summary>
/// The account messages: confirm the address of a new account, confirm a new address, reset a forgotten password, and a
/// colleague's invitation to choose one. Each carries a one-use link built on <see cref="MailOptions.SiteUrl"/>, never on
/// the asking request's host. A reset asked for an address with no account sends nothing, and its caller answers alike.
/// </summary>
public sealed class AccountMail(UserManager<AppUser> users, IDbContextFactory<QCommerceDbContext> contexts, IMailRenderer renderer, ISiteAddress site,
    TimeProvider clock, ILogger<AccountMail> logger)
{
    public async Task SendConfirmationAsync(AppUser user, CancellationToken ct = default)
    {
        if (user.EmailConfirmed || string.IsNullOrEmpty(user.Email)) return;
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = Link("account/confirm-email", ("user", user.Id), ("code", AccountTokens.Encode(token)));
        // No name in a message to an address not yet proven: whoever signed up could put any words in it.
        await QueueAsync(user, user.Email, new AccountMailContent(MailKind.ConfirmEmail, "", link, AccountTokens.ConfirmationLifespan), ct);
    }

    /// <summary>Asks the new address to confirm itself; the account keeps its old one until the link is followed.</summary>
    public async Task SendEmailChangeAsync(string userId, string? newEmail, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("Account", userId);
        if (AccountService.EmailProblem(newEmail) is { } problem) throw new RequestRejectedException(new Dictionary<string, string[]> { ["newEmail"] = [problem] });
        var email = newEmail!.Trim();
        if (string.Equals(email, user.Email, StringComparison.OrdinalIgnoreCase))
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["newEmail"] = ["That is the address your account has now."] });
        if (await users.FindByEmailAsync(email) is not null)
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["newEmail"] = ["Another account uses that address."] });
        var token = await users.GenerateChangeEmailTokenAsync(user, email);
        var link = Link("account/confirm-email", ("user", user.Id), ("email", email), ("code", AccountTokens.Encode(token)));
        await QueueAsync(user, email, new AccountMailContent(MailKind.ChangeEmail, "", link, AccountTokens.ConfirmationLifespan, email), ct);
    }

    public const string ResetRequestedEvent = "PasswordResetRequested";

    /// <summary>
    /// A reset asked for on the forgot-password page or <c>/v1/auth/forgotPassword</c>: one outbox row, whatever the address,
    /// so the answer takes as long for an address with an account as for one without (looking the account up, making
    /// the token and rendering the message happen after, in <see cref="PasswordResetComposer"/>).
    /// </summary>
    public async Task RequestPasswordResetAsync(string? email, CancellationToken ct = default)
    {
        if (AccountService.EmailProblem(email) is not null) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        Outbox.Enqueue(db, ResetRequestedEvent, $"account-mail:{Guid.NewGuid():N}", new PasswordResetRequest(email!.Trim()), clock.UtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Sends a reset link if the address has an account; says nothing either way.</summary>
    public async Task SendPasswordResetAsync(string? email, CancellationToken ct = default)
    {
        if (AccountService.EmailProblem(email) is not null) return;
        var user = await users.FindByEmailAsync(email!.Trim());
        if (user is null || string.IsNullOrEmpty(user.Email))
        {
            logger.LogInformation("Password reset asked for an address with no account; nothing sent");
            return;
        }
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var link = Link("account/reset-password", ("user", user.Id), ("code", AccountTokens.Encode(token)));
        await QueueAsync(user, user.Email, new AccountMailContent(MailKind.PasswordReset, user.DisplayName, link, AccountTokens.PasswordResetLifespan), ct);
    }

    /// <summary>A new colleague's (or a colleague's who asked again) link to choose their password.</summary>
    public async Task SendStaffInvitationAsync(string userId, CancellationToken ct = default)
    {
        var user = await users.FindByIdAsync(userId) ?? throw new NotFoundException("Staff member", userId);
        var token = await users.GenerateUserTokenAsync(user, AccountTokens.InvitationProvider, AccountTokens.InvitationPurpose);
        var link = Link("account/reset-password", ("user", user.Id), ("code", AccountTokens.Encode(token)), ("invite", "1"));
        await QueueAsync(user, user.Email!, new AccountMailContent(MailKind.StaffInvitation, user.DisplayName, link, AccountTokens.InvitationLifespan), ct);
    }

    private Uri Link(string path, params (string Name, string Value)[] query) =>
        new(site.BaseUri, path + "?" + string.Join("&", query.Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value)}")));

    private async Task QueueAsync(AppUser user, string to, AccountMailContent content, CancellationToken ct)
    {
        var rendered = await renderer.RenderAsync(content, ct);
        // Every request is its own message: a second reset asked is a second link (the first stays valid until used or expired).
        await MailQueue.QueueAsync(contexts, new MailDraft($"account:{user.Id}:{content.Kind}:{Guid.NewGuid():N}", content.Kind, to, rendered, UserId: user.Id), clock, ct);
    }
}

public sealed record PasswordResetRequest(string Email);

/// <summary>Composes and queues the reset message a request asked for (<see cref="AccountMail.RequestPasswordResetAsync"/>).</summary>
public sealed class PasswordResetComposer(IServiceScopeFactory scopes) : IOutboxHandler
{
    public string Name => "mail.password-reset";

    public bool Handles(string eventType) => eventType == AccountMail.ResetRequestedEvent;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        // A second delivery of the request sends a second link: harmless (each works once), and rarer than the first.
        await using var scope = scopes.CreateAsyncScope(); // Identity's UserManager is scoped
        await scope.ServiceProvider.GetRequiredService<AccountMail>().SendPasswordResetAsync(message.Read<PasswordResetRequest>().Email, ct);
    }
}
