using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using QCommerce.Core.Common;

namespace QCommerce.Web.Operations;

/// <summary>
/// Logs as operators ship them: one JSON object per line on the console, with the trace and span ids of the request or job
/// that wrote it, and personal data (<see cref="PersonalAttribute"/>: e-mail addresses, phone numbers, names, address
/// lines) replaced by a keyed hash. The hash is the same for the same value under the same <c>Telemetry:RedactionKey</c>, so
/// the lines about one person can still be found together, but the value cannot be read back.
/// </summary>
public static class Logs
{
    public static WebApplicationBuilder AddQCommerceLogs(this WebApplicationBuilder builder)
    {
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.EnableRedaction();
        var key = builder.Configuration["Telemetry:RedactionKey"];
        builder.Services.AddRedaction(r =>
        {
#pragma warning disable EXTEXP0002 // the HMAC redactor is marked experimental; its output format is what we rely on least
            r.SetHmacRedactor(o =>
            {
                // Without a configured key each start draws its own: pseudonyms then match within one process only.
                o.Key = string.IsNullOrWhiteSpace(key) ? Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48)) : key;
                o.KeyId = 1;
            }, new DataClassificationSet(DataClasses.Personal));
#pragma warning restore EXTEXP0002
        });
        return builder;
    }
}
