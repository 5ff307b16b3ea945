using System.Security.Cryptography;

namespace QCommerce.Core.Identity;

public static class Passwords
{
    private const string Lower = "abcdefghijkmnpqrstuvwxyz";
    private const string Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
    private const string Digits = "23456789";

    /// <summary>
    /// A strong password to show once (the first admin's, a new colleague's): 16 random characters without look-alikes,
    /// always with a digit, a lower- and an upper-case letter, so Identity's rules never refuse it (a draw without a digit
    /// happened about one time in twelve).
    /// </summary>
    public static string Generate()
    {
        var chars = RandomNumberGenerator.GetString(Lower + Upper + Digits, 13).ToCharArray().ToList();
        foreach (var set in new[] { Lower, Upper, Digits })
            chars.Insert(RandomNumberGenerator.GetInt32(chars.Count + 1), set[RandomNumberGenerator.GetInt32(set.Length)]);
        return "Qc-" + new string([.. chars]);
    }
}
