using System.Net;
using System.Net.Sockets;

namespace QCommerce.Core.Webhooks;

/// <summary>A delivery's target is one QCommerce will not call (SSRF): an internal address, where internal ones are not allowed.</summary>
public sealed class WebhookTargetRefusedException(string message) : Exception(message);

/// <summary>
/// Where webhooks may go. A webhook is a request the shop makes to a URL an admin typed, so it must not become a way into
/// the shop's own network (SSRF): outside Development and Testing, loopback, private, link-local, carrier-grade NAT,
/// multicast and reserved addresses are refused unless configuration allows them. A URL is checked when it is registered,
/// and again at every connection, on the addresses the name resolves to then (a name re-pointed at 127.0.0.1 after
/// registration is caught there); redirects are never followed, so a public receiver cannot bounce a delivery inwards.
/// </summary>
public static class WebhookTargets
{
    /// <summary>What is wrong with a URL as an endpoint, or null when it may be registered.</summary>
    public static string? Problem(string? url, bool requireHttps, bool allowInternal)
    {
        if (string.IsNullOrWhiteSpace(url)) return "The URL is required.";
        if (url.Length > WebhookEndpoint.MaxUrlLength) return $"The URL is longer than {WebhookEndpoint.MaxUrlLength} characters.";
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            return "Give an absolute http:// or https:// URL.";
        if (requireHttps && uri.Scheme != Uri.UriSchemeHttps) return "Give an https:// URL: deliveries carry order data.";
        if (uri.UserInfo.Length > 0) return "Leave user names and passwords out of the URL: deliveries are signed instead.";
        if (uri.Fragment.Length > 0) return "A URL with a #fragment cannot be called; leave it out.";
        if (!allowInternal && (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || uri.Host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(uri.IdnHost, out var ip) && IsInternal(ip))))
            return "That address is inside the shop's network; webhooks go to receivers on the internet.";
        return null;
    }

    /// <summary>True for an address no webhook may reach unless internal targets are allowed.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.Broadcast)) return true;
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 or 10 or 127 => true,
                100 => b[1] is >= 64 and <= 127,           // carrier-grade NAT 100.64/10
                169 => b[1] == 254,                          // link-local, cloud metadata (169.254.169.254)
                172 => b[1] is >= 16 and <= 31,
                192 => (b[1] == 168) || (b[1] == 0 && b[2] is 0 or 2) || (b[1] == 88 && b[2] == 99),
                198 => b[1] is 18 or 19 || (b[1] == 51 && b[2] == 100),
                203 => b[1] == 0 && b[2] == 113,
                >= 224 => true,                              // multicast and reserved
                _ => false,
            };
        }
        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal) return true;
        var v6 = address.GetAddressBytes();
        // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) carry an IPv4 address: judge that one.
        if (v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b) return IsInternal(new IPAddress(v6[12..16]));
        if (v6[0] == 0x20 && v6[1] == 0x02) return IsInternal(new IPAddress(v6[2..6]));
        return v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8; // documentation 2001:db8::/32
    }

    /// <summary>
    /// The connection step of the webhook client: resolves the host, refuses internal addresses (unless allowed), and connects
    /// only to an address it checked, so DNS cannot answer one thing to the check and another to the connection.
    /// </summary>
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> Connect(Func<bool> allowInternal) => async (context, ct) =>
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (!allowInternal() && addresses.Any(IsInternal))
            throw new WebhookTargetRefusedException($"{host} resolves to an internal address ({addresses.First(IsInternal)}); webhooks may not go there.");
        if (addresses.Length == 0) throw new WebhookTargetRefusedException($"{host} has no address.");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
