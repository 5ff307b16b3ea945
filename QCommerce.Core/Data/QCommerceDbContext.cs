using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Identity;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Data;

/// <summary>
/// The one database of QCommerce, Identity included. Each provider has a derived type
/// (<see cref="SqliteQCommerceDbContext"/>, <see cref="PostgresQCommerceDbContext"/>) only so that
/// each keeps its own migrations; code everywhere else sees this type.
/// </summary>
public abstract class QCommerceDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<Region> Regions => Set<Region>();
    public DbSet<DarkStore> Stores => Set<DarkStore>();
    public DbSet<DeliveryZip> DeliveryZips => Set<DeliveryZip>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<Sku> Skus => Set<Sku>();
    public DbSet<Price> Prices => Set<Price>();
    public DbSet<CatalogRevision> CatalogRevisions => Set<CatalogRevision>();
    public DbSet<CatalogChange> CatalogChanges => Set<CatalogChange>();
    public DbSet<StockLevel> Stock => Set<StockLevel>();
    public DbSet<StockMovement> StockMovements => Set<StockMovement>();
    public DbSet<SavedAddress> SavedAddresses => Set<SavedAddress>();
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<DeliverySlot> DeliverySlots => Set<DeliverySlot>();
    public DbSet<ShoppingCart> Carts => Set<ShoppingCart>();
    public DbSet<CartLine> CartLines => Set<CartLine>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> OrderLines => Set<OrderLine>();
    public DbSet<OrderEvent> OrderEvents => Set<OrderEvent>();
    public DbSet<Coupon> Coupons => Set<Coupon>();
    public DbSet<CouponRedemption> CouponRedemptions => Set<CouponRedemption>();
    public DbSet<IdempotencyRecord> IdempotencyRecords => Set<IdempotencyRecord>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<ProcessedMessage> ProcessedMessages => Set<ProcessedMessage>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentAttempt> PaymentAttempts => Set<PaymentAttempt>();
    public DbSet<PaymentRefund> PaymentRefunds => Set<PaymentRefund>();
    public DbSet<PspEvent> PspEvents => Set<PspEvent>();
    public DbSet<StaffStore> StaffStores => Set<StaffStore>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<OrderFulfillment> Fulfillments => Set<OrderFulfillment>();
    public DbSet<Messages.OutgoingMail> OutgoingMail => Set<Messages.OutgoingMail>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(QCommerceDbContext).Assembly);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configuration)
    {
        // Every DateTime is UTC; say so on the way out of the database too.
        configuration.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        configuration.Properties<DateTime?>().HaveConversion<NullableUtcDateTimeConverter>();
    }

    private sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));

    private sealed class NullableUtcDateTimeConverter() : ValueConverter<DateTime?, DateTime?>(
        v => v == null ? v : v.Value.Kind == DateTimeKind.Utc ? v : v.Value.ToUniversalTime(),
        v => v == null ? v : DateTime.SpecifyKind(v.Value, DateTimeKind.Utc));
}

public sealed class SqliteQCommerceDbContext(DbContextOptions<SqliteQCommerceDbContext> options) : QCommerceDbContext(options);

public sealed class PostgresQCommerceDbContext(DbContextOptions<PostgresQCommerceDbContext> options) : QCommerceDbContext(options);
