using Microsoft.Extensions.Configuration.Json;

namespace QCommerce.Web.Payments;

/// <summary>
/// The webhook secret by mode (architecture §9). The sandbox's secret is committed in appsettings.json on
/// purpose: it signs the sandbox's own events and nothing else. With a real Stripe key the secret
/// must be the endpoint's own, from the environment: a committed one would let anybody who reads the
/// repository sign a <c>payment_intent.succeeded</c> and have an order paid.
/// </summary>
public static class PaymentSecrets
{
    public const string SecretKeySetting = "Payments:Stripe:SecretKey";
    public const string WebhookSecretSetting = "Payments:Stripe:WebhookSecret";

    /// <summary>Refuses to start with a real Stripe key and a webhook secret that is missing or committed.</summary>
    public static void EnsureSafe(IConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(configuration[SecretKeySetting])) return;
        var secret = configuration[WebhookSecretSetting];
        if (string.IsNullOrWhiteSpace(secret))
            throw new InvalidOperationException(
                $"{SecretKeySetting} is set, so webhooks come from Stripe: set {WebhookSecretSetting} to the endpoint's signing secret (whsec_…) "
                + "from the environment (Payments__Stripe__WebhookSecret). QCommerce did not start.");
        if (CommittedValues(configuration, WebhookSecretSetting).Contains(secret, StringComparer.Ordinal))
            throw new InvalidOperationException(
                $"{WebhookSecretSetting} is a value committed in appsettings.json (the sandbox's), which anybody can read and sign webhooks with. "
                + $"With {SecretKeySetting} set, give the endpoint's own signing secret from the environment (Payments__Stripe__WebhookSecret). QCommerce did not start.");
    }

    /// <summary>What the shipped appsettings files say for a key, whatever overrides them.</summary>
    private static IEnumerable<string> CommittedValues(IConfiguration configuration, string key) =>
        (configuration as IConfigurationRoot)?.Providers
            .OfType<JsonConfigurationProvider>()
            .Where(p => Path.GetFileName(p.Source.Path ?? "").StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            .Select(p => p.TryGet(key, out var value) ? value : null)
            .OfType<string>()
            .Where(v => v.Length > 0)
        ?? [];
}
