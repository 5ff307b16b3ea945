using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace QCommerce.Tests.Support;

/// <summary>Every /v1/ops route the app maps, each method, with ids of the right shape (of rows that need not exist) where the route has some.</summary>
public static partial class OpsRoutes
{
    public sealed record Route(HttpMethod Method, string Pattern, string Path, RouteEndpoint Endpoint);

    public static List<Route> All(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? "").TrimStart('/').StartsWith("v1/ops", StringComparison.OrdinalIgnoreCase))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m =>
                new Route(new HttpMethod(m), "/" + e.RoutePattern.RawText!.TrimStart('/'), "/" + Fill(e.RoutePattern.RawText!.TrimStart('/')), e)))
            .DistinctBy(r => (r.Method, r.Path)).ToList();

    /// <summary>A route's parameters filled with ids of the kind its constraint asks for.</summary>
    public static string Fill(string pattern) => Parameter().Replace(pattern, x => x.Groups[3].Value switch
    {
        "order" => "o_1", "sku" => "sku_1", "store" => "st_1", "product" => "p_1", "category" => "cat_1", "price" => "pr_1", "payment" => "pay_1",
        "webhook" => "wh_1", "long" or "int" => "1",
        _ => "x1",
    });

    /// <summary>The body each route reads (else routing answers 415 before anyone is asked who they are).</summary>
    public static HttpContent? BodyFor(HttpMethod method, string path) =>
        method == HttpMethod.Get || method == HttpMethod.Delete ? null
        : path.Contains("/imports/") ? new StringContent("sku,region,amount\n", System.Text.Encoding.UTF8, "text/csv")
        : path.EndsWith("/images") ? new MultipartFormDataContent { { new ByteArrayContent([1, 2, 3]), "file", "a.png" } }
        : System.Net.Http.Json.JsonContent.Create(new { });

    [GeneratedRegex(@"\{(\w+)(:(\w+))?\}")]
    private static partial Regex Parameter();
}
