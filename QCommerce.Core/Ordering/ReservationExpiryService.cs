namespace QCommerce.Core.Ordering;

/// <summary>Cancels unpaid and unconfirmed orders whose reservation ran out, on every instance at the configured interval.</summary>
public sealed class ReservationExpiryService(OrderService orders, IOptions<OrderingOptions> options, TimeProvider clock,
    ILogger<ReservationExpiryService> logger) : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => options.Value.ExpirySweepInterval;
    protected override string Name => "Reservation expiry sweep";
    protected override Task RunOnceAsync(CancellationToken ct) => orders.ExpireDueAsync(ct);
}
