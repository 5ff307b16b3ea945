using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;
using QCommerce.Core.Identity;
using QCommerce.Core.Messages;
using QCommerce.Web.Identity;

namespace QCommerce.Tests.Identity;

/// <summary>The app whose reset links are over as soon as they are made: an expired link, without waiting an hour.</summary>
public sealed class ExpiredLinksApp() : QCommerceApp(DatabaseProvider.Sqlite,
    services: s => s.Configure<PasswordResetTokenProviderOptions>(o => o.TokenLifespan = TimeSpan.Zero));

/// <summary>
/// Getting back into an account by e-mail: a forgotten password reset from a one-use, one-hour link (the answer the same for
/// any address), the address confirmed or changed through its own link, the password changed while signed in; through the
/// API's Identity routes and the storefront's pages. The messages go to the app's pickup folder as .eml files (no relay).
/// </summary>
public sealed class AccountRecoveryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Password = "Groceries-2026";

    private async Task<HttpResponseMessage> PostAsync(string path, object body)
    {
        using var http = app.CreateClient();
        return await http.PostAsJsonAsync(path, body);
    }

    private static string Code(Uri link) => System.Web.HttpUtility.ParseQueryString(link.Query)["code"]!;

    private static string User(Uri link) => System.Web.HttpUtility.ParseQueryString(link.Query)["user"]!;

    private async Task<int> MessagesToAsync(string to)
    {
        await using var db = app.Database.CreateContext();
        return await db.OutgoingMail.CountAsync(m => m.To == to);
    }

    [Fact]
    public async Task AForgottenPassword_IsResetFromTheLink_Once_AndTheOldPasswordAndTokensStopWorking()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var unknown = $"nobody-{Guid.NewGuid():N}@example.com";

        var known = await PostAsync("/v1/auth/forgotPassword", new { email = shopper.Email });
        var stranger = await PostAsync("/v1/auth/forgotPassword", new { email = unknown });
        Assert.Equal((known.StatusCode, await known.Content.ReadAsStringAsync()), (stranger.StatusCode, await stranger.Content.ReadAsStringAsync()));
        var mail = await Inbox.AwaitAsync(app, shopper.Email, MailKind.PasswordReset, sent: true);
        Assert.Equal(0, await MessagesToAsync(unknown));
        Assert.Equal("Reset your password", mail.Subject);
        Assert.Contains("for one hour", mail.Text);

        // The .eml file is the message a mail program would show.
        var file = Path.Combine(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MailOptions>>().Value.PickupDirectory, mail.SentTo!);
        var eml = await MimeMessage.LoadAsync(file);
        Assert.Equal(mail.Subject, eml.Subject);
        Assert.Equal(shopper.Email, eml.To.Mailboxes.Single().Address);
        Assert.Contains(Inbox.LinkIn(mail).ToString(), eml.TextBody);

        var link = Inbox.LinkIn(mail);
        Assert.StartsWith(app.BaseAddress.ToString(), link.ToString());
        var reset = await PostAsync("/v1/auth/resetPassword", new { email = shopper.Email, resetCode = Code(link), newPassword = "Fresh-Start-2027" });
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        var again = await ApiShopper.JsonAsync(await PostAsync("/v1/auth/resetPassword", new { email = shopper.Email, resetCode = Code(link), newPassword = "Third-Try-2028" }),
            HttpStatusCode.BadRequest);
        Assert.Contains("expired or was already used", again.GetProperty("errors").GetProperty("resetCode")[0].GetString());

        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = "Fresh-Start-2027" })).StatusCode);
    }

    [Fact]
    public async Task AResetLink_ForAnotherAccount_OrAltered_OrWithAWeakPassword_IsRefused_AndChangesNothing()
    {
        var victim = await ApiShopper.SignUpAsync(app);
        var attacker = await ApiShopper.SignUpAsync(app);
        await PostAsync("/v1/auth/forgotPassword", new { email = attacker.Email });
        var attackers = Inbox.LinkIn(await Inbox.AwaitAsync(app, attacker.Email, MailKind.PasswordReset));

        // The attacker's own code, sent for the victim's address, or the victim's id in the page's link: refused.
        var crossed = await ApiShopper.JsonAsync(await PostAsync("/v1/auth/resetPassword", new { email = victim.Email, resetCode = Code(attackers), newPassword = "Took-Over-2027" }),
            HttpStatusCode.BadRequest);
        Assert.True(crossed.GetProperty("errors").TryGetProperty("resetCode", out _));
        var victimsId = await app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<AppUser>>()
            .FindByEmailAsync(victim.Email);
        var page = await Inbox.SetPasswordAsync(app, new Uri(attackers.ToString().Replace(User(attackers), victimsId!.Id)), "Took-Over-2027");
        Assert.Contains("expired or was already used", page);
        var altered = await Inbox.SetPasswordAsync(app, new Uri(attackers.ToString().Replace("code=", "code=AAAA")), "Took-Over-2027");
        Assert.Contains("expired or was already used", altered);

        var weak = await ApiShopper.JsonAsync(await PostAsync("/v1/auth/resetPassword", new { email = attacker.Email, resetCode = Code(attackers), newPassword = "short" }),
            HttpStatusCode.BadRequest);
        Assert.DoesNotContain("resetCode", weak.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        var missing = await ApiShopper.JsonAsync(await PostAsync("/v1/auth/resetPassword", new { email = "not-an-email", resetCode = "" }), HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("email", out _));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = victim.Email, password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = attacker.Email, password = Password })).StatusCode);
    }

    [Fact]
    public async Task AResetAskedWithAForgedHost_StillLinksToTheShop()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        using var http = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/forgotPassword") { Content = JsonContent.Create(new { email = shopper.Email }) };
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Forwarded-Host", "evil.example");
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
        var link = Inbox.LinkIn(await Inbox.AwaitAsync(app, shopper.Email, MailKind.PasswordReset));
        Assert.Equal(app.BaseAddress.Authority, link.Authority);
    }

    [Fact]
    public async Task TheAddress_IsConfirmedFromItsLink_OnceOnly_AndShoppingNeverWaitedForIt()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        Assert.False((await shopper.GetAsync("/v1/auth/manage/info")).GetProperty("isEmailConfirmed").GetBoolean());
        await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 48); // shopping does not wait for the confirmation

        var link = Inbox.LinkIn(await Inbox.AwaitAsync(app, shopper.Email, MailKind.ConfirmEmail));
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/auth/confirmEmail?userId={User(link)}&code={Code(link)}")).StatusCode);
        Assert.True((await shopper.GetAsync("/v1/auth/manage/info")).GetProperty("isEmailConfirmed").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/auth/confirmEmail?userId={User(link)}&code={Code(link)}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"/v1/auth/confirmEmail?userId=nobody&code=abc")).StatusCode);

        // Asked again for a confirmed or unknown address: the same 200, and nothing sent.
        var before = await MessagesToAsync(shopper.Email);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/resendConfirmationEmail", new { email = shopper.Email })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/resendConfirmationEmail", new { email = $"x-{Guid.NewGuid():N}@example.com" })).StatusCode);
        Assert.Equal(before, await MessagesToAsync(shopper.Email));
    }

    [Fact]
    public async Task TheAddress_ChangesOnlyOnceTheNewOneConfirms_AndOnlyWithThePassword()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var taken = await ApiShopper.SignUpAsync(app);
        var newEmail = $"moved-{Guid.NewGuid():N}@example.com";

        var noPassword = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail }), HttpStatusCode.BadRequest);
        Assert.True(noPassword.GetProperty("errors").TryGetProperty("oldPassword", out _));
        var takenAnswer = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail = taken.Email, oldPassword = Password }),
            HttpStatusCode.BadRequest);
        Assert.True(takenAnswer.GetProperty("errors").TryGetProperty("newEmail", out _));

        var info = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail, oldPassword = Password }), HttpStatusCode.OK);
        Assert.Equal(shopper.Email, info.GetProperty("email").GetString()); // not yet
        var mail = await Inbox.AwaitAsync(app, newEmail, MailKind.ChangeEmail);
        Assert.Contains($"You asked to use {newEmail}", mail.Text);

        // The link opens a page; the change is made by its button (a mail scanner following links changes nothing).
        var link = Inbox.LinkIn(mail);
        using var browser = app.CreateClient();
        Assert.Contains("Confirm your new email", await browser.GetStringAsync(link.PathAndQuery));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = Password })).StatusCode);
        var confirmed = await Forms.PostAsync(browser, link.PathAndQuery, link.PathAndQuery, new Dictionary<string, string> { ["_handler"] = "confirm-email", ["confirm"] = "1" });
        Assert.Contains("data-testid=\"email-confirmed\"", await confirmed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = newEmail, password = Password })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = Password })).StatusCode);
    }

    [Fact]
    public async Task ThePassword_ChangesWithTheCurrentOne_AndNotWithout()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var wrong = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newPassword = "Brand-New-2027", oldPassword = "guess" }),
            HttpStatusCode.BadRequest);
        Assert.Equal("That is not your current password.", wrong.GetProperty("errors").GetProperty("oldPassword")[0].GetString());
        Assert.Equal(HttpStatusCode.OK, (await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newPassword = "Brand-New-2027", oldPassword = Password })).StatusCode);
        // A new password signs the account out everywhere, this token included: the next call signs in again.
        Assert.Equal(HttpStatusCode.Unauthorized, (await shopper.Http.GetAsync("/v1/auth/manage/info")).StatusCode);
        var again = await ApiShopper.SignInAsync(app, shopper.Email, "Brand-New-2027");
        // Without the current password there is no change at all, even with a good new one.
        var without = await ApiShopper.JsonAsync(await again.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newPassword = "Other-New-2028" }), HttpStatusCode.BadRequest);
        Assert.True(without.GetProperty("errors").TryGetProperty("oldPassword", out _));
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = "Other-New-2028" })).StatusCode);
    }

    [Fact]
    public async Task AStolenSession_CannotGuessThePassword_FiveWrongAnswersLockIt_AndAResetOpensItAgain()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        using var browser = app.CreateClient();
        await Forms.PostAsync(browser, "/account/login", "/account/login",
            new Dictionary<string, string> { ["_handler"] = "login", ["Input.Email"] = shopper.Email, ["Input.Password"] = Password });
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account")).StatusCode); // a browser signed in too
        for (var i = 0; i < 5; i++)
        {
            var guess = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail = $"thief-{i}@example.com", oldPassword = $"guess-{i}" }),
                HttpStatusCode.BadRequest);
            Assert.Equal("That is not your current password.", guess.GetProperty("errors").GetProperty("oldPassword")[0].GetString());
        }
        // Locked now: even the right password changes nothing, and signing in waits too.
        var locked = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newPassword = "Took-Over-2027", oldPassword = Password }),
            HttpStatusCode.BadRequest);
        Assert.Contains("Too many wrong passwords", locked.GetProperty("errors").GetProperty("oldPassword")[0].GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = Password })).StatusCode);
        Assert.Equal(0, await MessagesToAsync("thief-0@example.com"));

        // The owner resets by e-mail: the lockout for wrong guesses ends with it.
        await PostAsync("/v1/auth/forgotPassword", new { email = shopper.Email });
        var link = Inbox.LinkIn(await Inbox.AwaitAsync(app, shopper.Email, MailKind.PasswordReset));
        Assert.Contains("Your password is set", await Inbox.SetPasswordAsync(app, link, "Back-In-2027"));
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = "Back-In-2027" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await shopper.Http.GetAsync("/v1/orders")).StatusCode); // the stolen token died with the reset
        var page = await browser.GetAsync("/account"); // and so did the browser's cookie, at its next page
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/account/login", page.Headers.Location!.ToString());
    }

    [Fact]
    public async Task ANewAddressAndANewPassword_InOneCall_BothHappen_OrNeither()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var newEmail = $"both-{Guid.NewGuid():N}@example.com";
        var weak = await ApiShopper.JsonAsync(await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail, newPassword = "short", oldPassword = Password }),
            HttpStatusCode.BadRequest);
        Assert.NotEmpty(weak.GetProperty("errors").EnumerateObject());
        Assert.Equal(0, await MessagesToAsync(newEmail)); // a refused password sends no link

        Assert.Equal(HttpStatusCode.OK, (await shopper.Http.PostAsJsonAsync("/v1/auth/manage/info", new { newEmail, newPassword = "Both-New-2027", oldPassword = Password })).StatusCode);
        await Inbox.AwaitAsync(app, newEmail, MailKind.ChangeEmail);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("/v1/auth/login", new { email = shopper.Email, password = "Both-New-2027" })).StatusCode);
    }

    [Fact]
    public async Task TheForgotPasswordPage_SaysTheSameForAnyAddress_AndSignInOffersIt_ButNotSignUpToStaff()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        async Task<string> AskAsync(string email)
        {
            using var browser = app.CreateClient();
            var answer = await Forms.PostAsync(browser, "/account/forgot-password", "/account/forgot-password",
                new Dictionary<string, string> { ["_handler"] = "forgot-password", ["Input.Email"] = email });
            var html = (await answer.Content.ReadAsStringAsync()).Replace(email, "ADDRESS", StringComparison.Ordinal);
            // The antiforgery token and the protected component state differ per answer, as they should.
            html = System.Text.RegularExpressions.Regex.Replace(html, "[A-Za-z0-9+/=_-]{40,}", "");
            return html[html.IndexOf("<section", StringComparison.Ordinal)..];
        }
        var known = await AskAsync(shopper.Email);
        Assert.Contains("data-testid=\"reset-sent\"", known);
        Assert.Equal(known, await AskAsync($"nobody-{Guid.NewGuid():N}@example.com"));

        using var http = app.CreateClient();
        var signIn = await http.GetStringAsync("/account/login");
        Assert.Contains("/account/forgot-password", signIn);
        Assert.Contains("Create an account", signIn);
        Assert.DoesNotContain("Create an account", await http.GetStringAsync("/account/login?returnUrl=%2Fops%2Forders"));
    }

    [Fact]
    public async Task AnAccountMessage_IsListedForAdmins_WithItsLinkHidden_AndNotForAColleagueOfAStore()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var mail = await Inbox.AwaitAsync(app, shopper.Email, MailKind.ConfirmEmail, sent: true);
        var queries = app.Services.GetRequiredService<MailQueries>();
        var listed = await queries.ListAsync(TestStaff.Admin, shopper.Email, null, 1, 10);
        var row = Assert.Single(listed.Items);
        Assert.Equal((MailState.Sent, "file"), (row.State, row.Transport));
        var detail = await queries.FindAsync(TestStaff.Admin, row.MessageId);
        Assert.True(detail!.LinkHidden);
        Assert.DoesNotContain("code=", detail.Html);
        Assert.DoesNotContain("code=", detail.Text);
        Assert.Contains(MailQueries.HiddenLink, detail.Text);

        var colleague = TestStaff.ScopedTo(2);
        Assert.Empty((await queries.ListAsync(colleague, shopper.Email, null, 1, 10)).Items);
        Assert.Null(await queries.FindAsync(colleague, row.MessageId));
        await Assert.ThrowsAsync<Core.Common.DomainException>(() => queries.ListAsync(TestStaff.Admin, "a\0b", null, 1, 10));
    }

    [Theory]
    [InlineData("Choose one (http://shop/account/reset-password?user=1&code=abc-_9).", "Choose one ([link hidden: it opens the account it was sent for]).")]
    [InlineData("<a href=\"https://shop/x?code=q\">https://shop/x?code=q</a>", "<a href=\"[link hidden: it opens the account it was sent for]\">[link hidden: it opens the account it was sent for]</a>")]
    [InlineData("See your order (https://shop/orders/7)", "See your order (https://shop/orders/7)")]
    public void AccountLinks_AreHiddenFromStaff_ButNotTheWordsAroundThem(string body, string shown) =>
        Assert.Equal(shown, MailQueries.HideLinks(body));

    [Fact]
    public void TheAppsTokens_LastAnHourForAReset_ThreeDaysForAnInvitationOrAConfirmation()
    {
        var services = app.Services;
        Assert.Equal(TimeSpan.FromHours(1), services.GetRequiredService<IOptions<PasswordResetTokenProviderOptions>>().Value.TokenLifespan);
        Assert.Equal(TimeSpan.FromDays(3), services.GetRequiredService<IOptions<InvitationTokenProviderOptions>>().Value.TokenLifespan);
        Assert.Equal(TimeSpan.FromDays(3), services.GetRequiredService<IOptions<DataProtectionTokenProviderOptions>>().Value.TokenLifespan);
        var identity = services.GetRequiredService<IOptions<IdentityOptions>>().Value.Tokens;
        Assert.Equal(AccountTokens.PasswordResetProvider, identity.PasswordResetTokenProvider);
    }
}

public sealed class ExpiredLinkTests(ExpiredLinksApp app) : IClassFixture<ExpiredLinksApp>
{
    [Fact]
    public async Task AnExpiredResetLink_IsRefused_OnThePage_AndTheApi()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        using (var http = app.CreateClient())
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = shopper.Email })).StatusCode);
        var link = Inbox.LinkIn(await Inbox.AwaitAsync(app, shopper.Email, MailKind.PasswordReset));
        Assert.Contains("expired or was already used", await Inbox.SetPasswordAsync(app, link, "Too-Late-2027"));
        using var api = app.CreateClient();
        var code = System.Web.HttpUtility.ParseQueryString(link.Query)["code"];
        var refused = await api.PostAsJsonAsync("/v1/auth/resetPassword", new { email = shopper.Email, resetCode = code, newPassword = "Too-Late-2027" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/v1/auth/login", new { email = shopper.Email, password = "Groceries-2026" })).StatusCode);
    }
}
