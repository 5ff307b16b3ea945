namespace QCommerce.Core.Payments;

/// <summary>
/// Where a card payment stands (DESIGN §3). Partially refunded money leaves a payment
/// <see cref="Captured"/> with <see cref="Payment.RefundedMinor"/> above zero; <see cref="Refunded"/> means in full.
/// </summary>
public enum PaymentStatus
{
    Initiated,
    RequiresAction,
    Authorized,
    Captured,
    Failed,
    Refunded,
}

public enum RefundStatus
{
    Pending,
    Succeeded,
    Failed,
}

/// <summary>What the PSP reports about one PaymentIntent, in our words.</summary>
public enum PspIntentStatus
{
    /// <summary>Created, waiting for the shopper (requires_payment_method, requires_confirmation, processing).</summary>
    Pending,
    RequiresAction,
    Authorized,
    Succeeded,
    Failed,
    Canceled,
}

/// <summary>What an observation of the PSP did to a payment; late and duplicate ones do nothing.</summary>
public enum PaymentChange
{
    None,
    RequiresAction,
    Authorized,
    Captured,
    Failed,
    RefundSucceeded,
    RefundFailed,

    /// <summary>
    /// The PSP says an attempt succeeded, but for another amount or currency than we asked for: the
    /// payment is not captured and the order not paid; a person looks at it (<see cref="Payment.ReviewNote"/>).
    /// </summary>
    HeldForReview,
}
