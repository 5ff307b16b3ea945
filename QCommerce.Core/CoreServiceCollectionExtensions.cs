using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using QCommerce.Core.Catalog;
using QCommerce.Core.Identity;
using QCommerce.Core.Stores;

namespace QCommerce.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>The use cases and read queries of every feature. Data access is registered by AddQCommerceData.</summary>
    public static IServiceCollection AddQCommerceCore(this IServiceCollection services)
    {
        services.AddMemoryCache();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<StoreDirectory>();
        services.AddSingleton<CategoryTree>();
        services.AddSingleton<CatalogQueries>();
        services.AddSingleton<AddressBookService>();
        return services;
    }
}
