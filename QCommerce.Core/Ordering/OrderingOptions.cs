using QCommerce.Core.Promotions;
namespace QCommerce.Core.Ordering;

/// <summary>Settings under <c>Orders</c> in appsettings.json (the tax rates there are <see cref="Promotions.PricingOptions"/>).</summary>
public sealed class OrderingOptions
{
    /// <summary>How long stock stays reserved for an unpaid or unconfirmed order.</summary>
    public TimeSpan ReservationTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Minutes each order already waiting in a store adds to its ASAP estimate.</summary>
    public int MinutesPerQueuedOrder { get; set; } = 2;

    /// <summary>How often each instance looks for expired reservations.</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromSeconds(15);
}
