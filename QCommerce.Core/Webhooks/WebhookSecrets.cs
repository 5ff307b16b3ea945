using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace QCommerce.Core.Webhooks;

/// <summary>
/// Signing secrets: made as Standard Webhooks writes them (<c>whsec_</c> and 32 random bytes in base64), kept in the
/// database only protected by ASP.NET Core Data Protection (whose keys every instance shares), and read back to sign.
/// </summary>
public sealed class WebhookSecrets(IDataProtectionProvider protection)
{
    public const string Prefix = "whsec_";

    private readonly IDataProtector _protector = protection.CreateProtector("QCommerce.Webhooks.SigningSecret.v1");

    public static string NewSecret() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    public string Protect(string secret) => _protector.Protect(secret);

    public string Reveal(string protectedSecret) => _protector.Unprotect(protectedSecret);
}

/// <summary>
/// The Standard Webhooks signature: HMAC-SHA256, keyed by the secret's bytes, over <c>{webhook-id}.{webhook-timestamp}.{body}</c>,
/// written <c>v1,{base64}</c>. During a rotation's overlap the header carries one signature per secret, space-separated, and
/// a receiver accepts the delivery when any of them verifies with the secret it holds.
/// </summary>
public static class WebhookSignature
{
    public static string Sign(string secret, string messageId, long timestamp, string body)
    {
        var key = Convert.FromBase64String(secret.StartsWith(WebhookSecrets.Prefix, StringComparison.Ordinal) ? secret[WebhookSecrets.Prefix.Length..] : secret);
        var content = Encoding.UTF8.GetBytes($"{messageId}.{timestamp}.{body}");
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, content));
    }

    /// <summary>
    /// The <c>webhook-signature</c> header. With two secrets it lists the first signature again at the end: the .NET
    /// StandardWebhooks library (1.1.2) compares the last entry of a list as if it were the whole header, so without the
    /// repeat a receiver holding the second secret would be refused. A repeated valid signature is still a valid header.
    /// </summary>
    public static string Header(IReadOnlyList<string> secrets, string messageId, long timestamp, string body)
    {
        var signatures = secrets.Select(s => Sign(s, messageId, timestamp, body)).ToList();
        if (signatures.Count > 1) signatures.Add(signatures[0]);
        return string.Join(' ', signatures);
    }
}
