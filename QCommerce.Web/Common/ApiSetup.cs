using System.Text.Json.Serialization;
using QCommerce.Web.Cart;
using QCommerce.Web.Catalog;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;
using QCommerce.Web.Inventory;
using QCommerce.Web.Ops;
using QCommerce.Web.Promotions;
using QCommerce.Web.Ordering;
using QCommerce.Web.Payments;
using QCommerce.Web.Stores;
using QCommerce.Web.Customers;
using QCommerce.Web.Webhooks;
using Scalar.AspNetCore;

namespace QCommerce.Web.Common;

public static class ApiSetup
{
    public static IServiceCollection AddQCommerceApi(this IServiceCollection services)
    {
        services.AddQCommerceProblemDetails();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
            // "qty": "2" is a client bug worth hearing about, not something to guess at.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.Configure<RouteOptions>(o => o.AddPublicIdConstraints());
        // A body that does not bind (a number where an id string belongs, broken JSON) is thrown to the problem handler,
        // which says what was wrong; otherwise, outside Development, the client got a bare 400 with nothing to go on.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi("v1", o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "QCommerce API";
                doc.Info.Description = "The /v1 contract for customer apps: catalog, cart, orders and payments. Money is minor units with a currency; errors are RFC 7807 problem details.";
                return Task.CompletedTask;
            });
            o.AddSchemaTransformer(PublicIds.DescribeInSchema);
        });
        // The PSP webhook is a controller: it needs the raw body, before any model binding (architecture §1).
        services.AddControllers();
        return services;
    }

    public static WebApplication MapQCommerceApi(this WebApplication app)
    {
        var v1 = app.MapGroup("/v1").DisableAntiforgery();
        v1.MapAuthApi();
        v1.MapStoresApi();
        v1.MapCatalogApi();
        v1.MapCartApi();
        v1.MapOrdersApi();
        v1.MapPaymentsApi();
        // Staff only: every route under /v1/ops asks the staff directory who the caller is now (a shopper's token, or a colleague
        // locked or demoted since theirs was issued, is 403), then whether their role may take it (StaffPolicies); each feature
        // maps its own ops routes. Orders say per route who may (pickers pick, Support refunds, Ops run the store).
        var ops = v1.MapGroup("/ops").RequireAuthorization(StaffPolicies.Staff);
        ops.MapOpsOrdersApi();
        ops.MapGroup("").RequireAuthorization(QCommerce.Core.Identity.Roles.Ops).MapOpsReportsApi()
            .MapOpsStockApi().MapOpsStockFilesApi().MapOpsPricesApi().MapOpsPriceFilesApi().MapOpsCatalogApi().MapOpsCouponsApi().MapOpsStoresApi();
        ops.MapGroup("").RequireAuthorization(QCommerce.Core.Identity.Roles.Support).MapOpsCustomersApi();
        ops.MapGroup("").RequireAuthorization(QCommerce.Core.Identity.Roles.Admin).MapOpsStaffApi().MapOpsWebhooksApi();

        app.MapControllers();
        app.MapOpenApi("/openapi/{documentName}.json");
        // Fonts from this host's stylesheet, not Scalar's font CDN: the page's CSP lets nothing load from elsewhere.
        app.MapScalarApiReference("/api-docs", o => o.WithTitle("QCommerce API").WithOpenApiRoutePattern("/openapi/{documentName}.json").DisableDefaultFonts());
        return app;
    }
}
