using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using QCommerce.Core.Messages;

namespace QCommerce.Web.Messages;

/// <summary>
/// The shop's address for links in messages: <c>Mail:SiteUrl</c> when the operator set it (behind a proxy they must), else
/// the first address this server listens on, with a wildcard host read as localhost. Never a request's Host header.
/// A process without a server (a worker, a test harness) must set <c>Mail:SiteUrl</c>.
/// </summary>
public sealed class SiteAddress(IOptions<MailOptions> options, IServer? server = null) : ISiteAddress
{
    public Uri BaseUri
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.SiteUrl)) return WithSlash(options.Value.SiteUrl);
            if (server is null) throw new InvalidOperationException("Mail:SiteUrl must be set where no web server runs: the links in messages need the shop's address.");
            var listening = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost:5000";
            listening = listening.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://[::]", "://localhost");
            return WithSlash(listening);
        }
    }

    private static Uri WithSlash(string url) => new(url.EndsWith('/') ? url : url + "/");
}
