using Microsoft.Extensions.Compliance.Classification;

namespace QCommerce.Core.Common;

/// <summary>The kinds of data our logs must not show as they are.</summary>
public static class DataClasses
{
    /// <summary>What identifies a person: an e-mail address, a phone number, a name, an address line.</summary>
    public static DataClassification Personal { get; } = new("QCommerce", "Personal");
}

/// <summary>
/// Marks a <c>[LoggerMessage]</c> parameter as personal data (<c>[Personal] string email</c>): the web app's logs show a keyed hash of it, never the value
/// (<c>QCommerce.Web.Operations.Logs</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Parameter | AttributeTargets.Property | AttributeTargets.Field)]
public sealed class PersonalAttribute() : DataClassificationAttribute(DataClasses.Personal);
