using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.Caching.Memory;
using QCommerce.Core.Catalog;

namespace QCommerce.Web.Components.Store.Catalog;

/// <summary>
/// Product grids rendered once: the cards a store's shoppers share (a category page, a search, the featured row) are
/// rendered to HTML the first time and kept, keyed by everything they show (each card's title, picture, size, price
/// and stock label, the store, the page they return to): an order that leaves a SKU "In stock" changes no key. A price, a deactivation or a stock change gives the next
/// request other cards, and so another key: what is served is never older than the catalog snapshot and stock cache
/// it was looked up in, and no eviction has to be remembered. Entries not asked for in a while give way (a size limit
/// and a sliding expiry).
/// <para>
/// Nothing of a shopper is in the kept HTML: each Add form's antiforgery token is a placeholder that every request
/// replaces with its own token; the cart badge and the account links are the layout's, rendered per request.
/// </para>
/// </summary>
public sealed class ProductGridCache(IServiceScopeFactory scopes, ILoggerFactory loggers, Microsoft.Extensions.Options.IOptions<AntiforgeryOptions> antiforgery)
{
    /// <summary>What each Add form's token reads in the kept HTML; no token, encoded or not, contains a space.</summary>
    public const string TokenPlaceholder = "qc token placeholder";

    private static readonly TimeSpan KeptWhileAskedFor = TimeSpan.FromMinutes(10);

    private readonly MemoryCache _rendered = new(new MemoryCacheOptions { SizeLimit = 64L * 1024 * 1024 }); // in characters

    public async Task<MarkupString> RenderAsync(IReadOnlyList<ProductCard> products, string? heading, string? storeId, string returnUrl,
        AntiforgeryRequestToken? token)
    {
        var field = token?.FormFieldName ?? antiforgery.Value.FormFieldName;
        var key = Key(products, heading, storeId, returnUrl, field);
        if (!_rendered.TryGetValue(key, out string? html) || html is null)
        {
            html = await RenderCardsAsync(products, heading, storeId, returnUrl, field);
            // Only pages anyone links to are kept: a query of other keys (made up, or a one-off ?cart= notice) is
            // rendered for its request, so no one can fill the cache with variants of one page.
            if (IsSharedPage(returnUrl))
                _rendered.Set(key, html, new MemoryCacheEntryOptions { Size = html.Length + key.Length, SlidingExpiration = KeptWhileAskedFor });
        }
        return new MarkupString(html.Replace(TokenPlaceholder, token is null ? "" : HtmlEncoder.Default.Encode(token.Value), StringComparison.Ordinal));
    }

    private async Task<string> RenderCardsAsync(IReadOnlyList<ProductCard> products, string? heading, string? storeId, string returnUrl, string field)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var parameters = ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(ProductGridMarkup.Products)] = products,
                [nameof(ProductGridMarkup.Heading)] = heading,
                [nameof(ProductGridMarkup.StoreId)] = storeId,
                [nameof(ProductGridMarkup.ReturnUrl)] = returnUrl,
                [nameof(ProductGridMarkup.TokenField)] = field,
            });
            return (await renderer.RenderComponentAsync<ProductGridMarkup>(parameters)).ToHtmlString();
        });
    }

    private static readonly HashSet<string> SharedQueryKeys = new(StringComparer.Ordinal) { "q", "page", "sort" };

    /// <summary>Whether a page's grid is kept: its query holds only the keys links to it carry (q, page, sort), and it is not absurdly long.</summary>
    public static bool IsSharedPage(string returnUrl)
    {
        var query = returnUrl.IndexOf('?') is var at and >= 0 ? returnUrl[(at + 1)..] : "";
        return returnUrl.Length <= 300 && query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .All(pair => SharedQueryKeys.Contains(pair.Split('=')[0]));
    }

    /// <summary>Everything the cards show, in one string: equal keys render equal HTML.</summary>
    private static string Key(IReadOnlyList<ProductCard> products, string? heading, string? storeId, string returnUrl, string field)
    {
        var key = new StringBuilder(64 + products.Count * 96);
        key.Append(storeId).Append('\u001f').Append(heading).Append('\u001f').Append(returnUrl).Append('\u001f').Append(field);
        foreach (var p in products)
        {
            key.Append('\u001e').Append(p.ProductId.ToString(CultureInfo.InvariantCulture)).Append('\u001f').Append(p.Slug)
                .Append('\u001f').Append(p.Title).Append('\u001f').Append(p.Brand).Append('\u001f').Append(p.Image?.Url)
                .Append('\u001f').Append(p.SkuId.ToString(CultureInfo.InvariantCulture)).Append('\u001f').Append(p.SizeLabel)
                .Append('\u001f').Append(p.SkuCount.ToString(CultureInfo.InvariantCulture))
                .Append('\u001f').Append(p.Price?.Currency).Append(p.Price?.MinorUnits.ToString(CultureInfo.InvariantCulture))
                .Append('\u001f').Append(p.Availability?.Label); // what the badge says ("In stock" whatever the count above the threshold)
        }
        return key.ToString();
    }
}
