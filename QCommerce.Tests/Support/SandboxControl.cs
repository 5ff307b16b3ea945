using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Payments;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Support;

/// <summary>What a test does to the PSP's side: deliver an event as Stripe would (signed now), or let a week pass for one hold.</summary>
public static class SandboxControl
{
    /// <summary>Posts a Stripe event to the shop's webhook, signed now with the app's secret; the shop must answer 200.</summary>
    public static async Task SendSignedAsync(QCommerceApp app, string payload)
    {
        var secret = app.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Stripe.WebhookSecret;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/psp") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Stripe.EventUtility.GenerateSignatureHeader(payload, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(request)).StatusCode);
    }

    /// <summary>
    /// A week passes for this hold alone and the sandbox lapses it (its clock runs on as it does for every other test);
    /// false when the PaymentIntent holds nothing any more.
    /// </summary>
    public static async Task<bool> LapseHoldAsync(QCommerceApp app, string intentId)
    {
        var longAgo = DateTime.UtcNow - app.Services.GetRequiredService<SandboxSettings>().AuthorizationValidity - TimeSpan.FromMinutes(1);
        await using (var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync())
            if (await psp.Intents.Where(i => i.Id == intentId && i.Status == "requires_capture").ExecuteUpdateAsync(x => x.SetProperty(i => i.AuthorizedAtUtc, longAgo)) == 0)
                return false;
        await app.Services.GetRequiredService<SandboxPsp>().RunDueAsync(default);
        return true;
    }
}
