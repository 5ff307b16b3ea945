using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Identity;
using QCommerce.Core.Messages;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
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
        services.AddSingleton<CatalogChangeSignal>();
        services.AddSingleton<IInterceptor>(sp => new CatalogChangeInterceptor(sp.GetRequiredService<CatalogChangeSignal>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<CatalogSnapshots>();
        services.AddSingleton<CategoryTree>();
        services.AddSingleton<CatalogQueries>();
        services.AddSingleton<Inventory.StockCommits>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<Inventory.StockCommits>());
        services.AddSingleton<Inventory.StockCache>();
        services.AddSingleton<IStockView>(sp => sp.GetRequiredService<Inventory.StockCache>());
        services.AddSingleton<AddressBookService>();
        services.AddScoped<AccountService>(); // on Identity's UserManager, which is scoped
        services.AddSingleton<SecurityStamps>();
        services.AddScoped<StaffService>();
        services.AddOptions<OrderingOptions>().BindConfiguration("Orders");
        services.AddOptions<PricingOptions>().BindConfiguration("Orders");
        services.AddSingleton<DeliverySlots>();
        services.AddSingleton<StoreSettingsService>();
        services.AddSingleton<IdempotencyGuard>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<IInterceptor, OutboxCommitInterceptor>();
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton<ChangeFeedInterceptor>();
        services.AddSingleton<IInterceptor>(sp => sp.GetRequiredService<ChangeFeedInterceptor>());
        services.AddSingleton<IChangeSource, OrderChangeSource>();
        services.AddSingleton<IChangeSource, Fulfillment.FulfillmentChangeSource>();
        services.AddSingleton<IChangeSource, PaymentChangeSource>();
        services.AddSingleton<IChangeSource, Inventory.LowStockChangeSource>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<CartService>();
        services.AddSingleton<AsapBacklog>();
        services.AddSingleton<DeliveryPromises>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<OrderService>();
        services.AddSingleton<StaffOrderService>();
        services.AddSingleton<StaffDirectory>();
        services.AddSingleton<OrderQueries>();
        services.AddSingleton<OrderWork>();
        services.AddSingleton<OrderPaymentOutcomes>();
        services.AddOptions<PaymentsOptions>().BindConfiguration("Payments");
        services.TryAddSingleton<IStripeApiLocation, ConfiguredStripeApiLocation>();
        services.AddSingleton<PspResilience>();
        services.AddSingleton<IPaymentGateway, StripePaymentGateway>();
        services.AddSingleton<PaymentObserver>();
        services.AddSingleton<PaymentUpdates>();
        services.AddSingleton<IOrderPaymentGate>(sp => sp.GetRequiredService<PaymentUpdates>());
        services.AddSingleton<PaymentService>();
        services.AddSingleton<RefundService>();
        services.AddSingleton<CaptureService>();
        services.AddSingleton<ICardPayments, CardPayments>();
        services.AddSingleton<OrderRefundService>();
        services.AddSingleton<Fulfillment.FulfillmentService>();
        services.AddSingleton<Fulfillment.FulfillmentBoard>();
        services.AddSingleton<Ops.OpsOrderQueries>();
        services.AddSingleton<Ops.OpsDashboard>();
        services.AddSingleton<Ops.AuditQueries>();
        services.AddSingleton<Ops.OpsPaymentQueries>();
        services.AddSingleton<Ops.OutboxMonitor>();
        services.AddMetrics();
        services.AddSingleton<QCommerceMetrics>();
        services.AddSingleton<IOutboxDeliveryObserver, Ops.OutboxMetrics>();
        services.AddOptions<Ops.OperationsOptions>().BindConfiguration("Operations");
        services.AddSingleton<Ops.OperationsSampler>();
        services.AddSingleton<PriceService>();
        services.AddOptions<MediaOptions>().BindConfiguration("Media");
        services.AddSingleton<ProductEditor>();
        services.AddSingleton<ProductGallery>();
        services.AddSingleton<OpsProductQueries>();
        services.AddSingleton<CategoryService>();
        services.AddSingleton<CouponService>();
        services.AddSingleton<PriceImport>();
        services.AddSingleton<Inventory.StockAdjustmentService>();
        services.AddSingleton<Inventory.StockQueries>();
        services.AddSingleton<Inventory.StockCountImport>();
        services.AddSingleton<PaymentQueries>();
        services.AddSingleton<PaymentReconciliation>();
        services.AddSingleton<IOutboxHandler, PaymentEffects>();
        services.AddSingleton<IOutboxHandler, Inventory.LowStockFeed>();
        AddMessages(services);
        AddWebhooks(services);
        services.AddSingleton<Customers.CustomerSearch>();
        services.AddSingleton<Customers.CustomerCare>();
        return services;
    }

    /// <summary>
    /// Outbound webhooks: the fan-out from the outbox into deliveries, and their sender, whose HTTP client follows no redirect,
    /// uses no proxy and connects only to addresses <see cref="Webhooks.WebhookTargets"/> allows.
    /// </summary>
    private static void AddWebhooks(IServiceCollection services)
    {
        services.AddDataProtection();
        services.AddOptions<Webhooks.WebhookOptions>().BindConfiguration("Webhooks");
        services.AddSingleton<Webhooks.WebhookSignal>();
        services.AddSingleton<Webhooks.WebhookSecrets>();
        services.AddSingleton<Webhooks.WebhookSender>();
        services.AddSingleton<Webhooks.WebhookService>();
        services.AddSingleton<Webhooks.WebhookLog>();
        services.AddSingleton<IOutboxHandler, Webhooks.WebhookFanout>();
        services.AddHttpClient(Webhooks.WebhookSender.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("QCommerce-Webhooks/1"))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var options = sp.GetRequiredService<IOptions<Webhooks.WebhookOptions>>();
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    UseProxy = false,
                    UseCookies = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectTimeout = options.Value.Timeout,
                    ConnectCallback = Webhooks.WebhookTargets.Connect(() => options.Value.AllowPrivateTargets ?? false),
                };
            })
            .ConfigureHttpClient(c => c.Timeout = Timeout.InfiniteTimeSpan); // each try has its own timeout (WebhookOptions.Timeout)
    }

    /// <summary>
    /// Transactional e-mail: order messages composed from the outbox (after the payment effects, which their handlers follow
    /// in registration order, so a message reads the order they moved), account messages, and the transport: the SMTP relay
    /// when <c>Mail:Smtp:Host</c> is set, else .eml files. The web project supplies the renderer and the site's address.
    /// </summary>
    private static void AddMessages(IServiceCollection services)
    {
        services.AddOptions<Messages.MailOptions>().BindConfiguration("Mail");
        services.AddSingleton<IMailTransport>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<Messages.MailOptions>>().Value.Smtp.Host)
            ? ActivatorUtilities.CreateInstance<PickupDirectoryTransport>(sp)
            : ActivatorUtilities.CreateInstance<SmtpMailTransport>(sp));
        services.AddSingleton<IOutboxHandler, OrderMailTrigger>();
        services.AddSingleton<IOutboxHandler, OrderMailComposer>();
        services.AddSingleton<IOutboxHandler, MailSender>();
        services.AddSingleton<IOutboxHandler, PasswordResetComposer>();
        services.AddSingleton<MailQueries>();
        services.AddScoped<AccountMail>(); // on Identity's UserManager, which is scoped
        services.AddScoped<AccountRecovery>();
    }

    /// <summary>The background work every instance runs: outbox delivery, reservation expiry, payment reconciliation.</summary>
    public static IServiceCollection AddQCommerceBackgroundJobs(this IServiceCollection services)
    {
        services.AddHostedService<OutboxDispatcherService>();
        services.AddHostedService<ChangeFeedWatcher>();
        services.AddHostedService<ReservationExpiryService>();
        services.AddHostedService<DeliverySlotService>();
        services.AddHostedService<IdempotencyPurgeService>();
        services.AddHostedService<PaymentReconciliationService>();
        services.AddHostedService<Ops.OperationsSamplerService>();
        services.AddHostedService<Webhooks.WebhookSenderService>();
        return services;
    }
}
