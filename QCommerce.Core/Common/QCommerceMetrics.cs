using System.Diagnostics.Metrics;

namespace QCommerce.Core.Common;

/// <summary>
/// The business's own instruments, in the meter <see cref="MeterName"/> (the web app exports it at <c>/metrics</c>).
/// Orders, payments and refunds are counted from the outbox as each event is delivered (Ops' <c>OutboxMetrics</c>): an
/// event exists only once its change committed, and is delivered by one instance, so a counter summed over every
/// instance counts each thing once. Durations are recorded where the change is made. The backlog gauges report what
/// Ops' sampler last read from the database; every instance reports the same figures (a dashboard takes their maximum).
/// </summary>
public sealed class QCommerceMetrics
{
    public const string MeterName = "QCommerce";

    private readonly Counter<long> _ordersPlaced;
    private readonly Counter<long> _orderTransitions;
    private readonly Counter<long> _reservationsExpired;
    private readonly Counter<long> _payments;
    private readonly Counter<long> _refunds;
    private readonly Histogram<double> _webhookLag;
    private readonly Histogram<double> _pickTime;
    private readonly Histogram<double> _orderToDoor;

    private volatile OperationsReadings _readings = new(0, TimeSpan.Zero, 0, 0);

    public QCommerceMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _ordersPlaced = meter.CreateCounter<long>("qcommerce.orders.placed", "{order}", "Orders placed, by store and payment method.");
        _orderTransitions = meter.CreateCounter<long>("qcommerce.order.transitions", "{transition}", "Order status changes, by the status left and the status reached.");
        _reservationsExpired = meter.CreateCounter<long>("qcommerce.reservations.expired", "{order}", "Orders whose stock reservation ran out unpaid.");
        _payments = meter.CreateCounter<long>("qcommerce.payments", "{payment}", "Card payment outcomes: held, captured, failed, voided, expired, review.");
        _refunds = meter.CreateCounter<long>("qcommerce.refunds", "{refund}", "Refunds settled at the payment provider, by outcome.");
        _webhookLag = meter.CreateHistogram<double>("qcommerce.webhook.lag", "s", "From the event's creation at the payment provider to its effect here.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600] });
        _pickTime = meter.CreateHistogram<double>("qcommerce.pick.duration", "s", "From the start of picking to the last line found or short.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [30, 60, 120, 180, 300, 600, 900, 1800, 3600] });
        _orderToDoor = meter.CreateHistogram<double>("qcommerce.order.delivery_time", "s", "From the order placed to its delivery at the door.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 14400] });
        meter.CreateObservableGauge("qcommerce.outbox.backlog", () => _readings.OutboxBacklog, "{message}", "Outbox messages not yet delivered.");
        meter.CreateObservableGauge("qcommerce.outbox.oldest_age", () => _readings.OutboxOldestAge.TotalSeconds, "s", "Age of the oldest undelivered outbox message (0 when none).");
        meter.CreateObservableGauge("qcommerce.stock.low_skus", () => _readings.LowStockSkus, "{sku}", "Store SKUs at or below their low-stock threshold.");
        meter.CreateObservableGauge("qcommerce.mail.backlog", () => _readings.MailBacklog, "{message}", "E-mails queued or retrying.");
    }

    public void OrderPlaced(int storeId, string paymentMethod) =>
        _ordersPlaced.Add(1, new("store_id", storeId), new("payment_method", Snake(paymentMethod)));

    public void OrderMoved(string from, string to)
    {
        _orderTransitions.Add(1, new("from", Snake(from)), new("to", Snake(to)));
        if (to == "Expired") _reservationsExpired.Add(1);
    }

    /// <param name="outcome">held, captured, failed, voided, expired or review.</param>
    public void Payment(string outcome) => _payments.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    /// <param name="outcome">succeeded or failed.</param>
    public void Refund(string outcome) => _refunds.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void WebhookApplied(string eventType, DateTime createdAtPspUtc, DateTime nowUtc) =>
        _webhookLag.Record(Math.Max(0, (nowUtc - createdAtPspUtc).TotalSeconds), new KeyValuePair<string, object?>("type", eventType));

    public void PickFinished(int storeId, TimeSpan took) => _pickTime.Record(Math.Max(0, took.TotalSeconds), new KeyValuePair<string, object?>("store_id", storeId));

    public void Delivered(int storeId, TimeSpan orderToDoor) => _orderToDoor.Record(Math.Max(0, orderToDoor.TotalSeconds), new KeyValuePair<string, object?>("store_id", storeId));

    /// <summary>The latest sample of the database's backlogs, which the gauges report until the next.</summary>
    public void Sampled(OperationsReadings readings) => _readings = readings;

    /// <summary>Labels in Prometheus's own style: <c>CashOnDelivery</c> is <c>cash_on_delivery</c>.</summary>
    internal static string Snake(string? name) =>
        string.Concat((name ?? "unknown").Select((c, i) => char.IsUpper(c) ? (i > 0 ? "_" : "") + char.ToLowerInvariant(c) : c.ToString()));
}

/// <summary>One sample of what waits in the database.</summary>
public sealed record OperationsReadings(int OutboxBacklog, TimeSpan OutboxOldestAge, int LowStockSkus, int MailBacklog);
