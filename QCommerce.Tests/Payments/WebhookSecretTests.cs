using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace QCommerce.Tests.Payments;

/// <summary>
/// The webhook secret by mode: the sandbox's secret, committed in appsettings.json, must never verify
/// events once a real Stripe key is set (anyone could read it and sign "succeeded" for an order).
/// </summary>
public sealed class WebhookSecretTests
{
    private const string CommittedSandboxSecret = "whsec_qcommerce_sandbox_only_not_a_real_secret";
    private const string RealKey = "sk_test_configured_for_this_test";

    [Theory]
    [InlineData(null)] // nothing in the environment: the committed sandbox secret from appsettings.json
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(CommittedSandboxSecret)] // the committed value copied into the environment
    public async Task RealStripeKey_WithAMissingOrCommittedWebhookSecret_RefusesToStartNamingTheSetting(string? webhookSecret)
    {
        var settings = new Dictionary<string, string?> { ["Payments:Stripe:SecretKey"] = RealKey };
        if (webhookSecret is not null) settings["Payments:Stripe:WebhookSecret"] = webhookSecret;
        var app = new QCommerceApp(DatabaseProvider.Sqlite, settings);
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(app.InitializeAsync);
            Assert.Contains("Payments:Stripe:WebhookSecret", error.ToString());
            Assert.Contains("environment", error.ToString());
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task RealStripeKey_AnEventSignedWithTheCommittedSecret_Is400AndNothingIsStored()
    {
        const string environmentSecret = "whsec_endpoint_secret_from_the_environment";
        var app = new QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?>
        {
            ["Payments:Stripe:SecretKey"] = RealKey,
            ["Payments:Stripe:WebhookSecret"] = environmentSecret,
        });
        await app.InitializeAsync();
        try
        {
            var json = new JsonObject
            {
                ["id"] = $"evt_forged_{Guid.NewGuid():N}", ["object"] = "event", ["api_version"] = "2020-08-27",
                ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["type"] = "payment_intent.succeeded",
                ["data"] = new JsonObject
                {
                    ["object"] = new JsonObject
                    {
                        ["id"] = "pi_read_from_the_api", ["object"] = "payment_intent", ["amount"] = 711, ["amount_received"] = 711,
                        ["currency"] = "usd", ["status"] = "succeeded",
                    },
                },
            }.ToJsonString();

            var forged = await SendAsync(app, json, CommittedSandboxSecret);
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            await using (var db = app.Database.CreateContext())
                Assert.Equal(0, await db.PspEvents.CountAsync());

            // The endpoint's own secret is what verifies now.
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, json, environmentSecret)).StatusCode);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(QCommerceApp app, string json, string secret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/psp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature",
            Stripe.EventUtility.GenerateSignatureHeader(json, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        return await app.CreateClient().SendAsync(request);
    }
}
