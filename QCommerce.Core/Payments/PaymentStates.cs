namespace QCommerce.Core.Payments;

/// <summary>
/// Where a card payment stands (architecture §3): held at checkout (<see cref="Authorized"/>), then captured for what was picked
/// (the rest released), voided or expired. Partially refunded money leaves a payment <see cref="Captured"/> with
/// <see cref="Payment.RefundedMinor"/> above zero; <see cref="Refunded"/> means in full.
/// </summary>
public enum PaymentStatus
{
    Initiated,
    RequiresAction,

    /// <summary>The money is held on the card (<see cref="Payment.AuthorizedMinor"/>), not yet taken.</summary>
    Authorized,
    Captured,
    Failed,
    Refunded,

    /// <summary>The hold was released before anything was taken (the order was cancelled, or nothing was to be charged).</summary>
    Voided,

    /// <summary>The card's hold lapsed before it was captured (Stripe: after 7 days): nothing was taken.</summary>
    Expired,
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

    /// <summary>The hold was released: nothing is taken.</summary>
    Voided,

    /// <summary>The hold lapsed before the capture: nothing was taken.</summary>
    Expired,

    /// <summary>The PSP refused the capture for good: the money held could not be taken.</summary>
    CaptureFailed,

    /// <summary>
    /// The PSP says an attempt succeeded, but for another amount or currency than we asked for: the
    /// payment is not captured and the order not paid; a person looks at it (<see cref="Payment.ReviewNote"/>).
    /// </summary>
    HeldForReview,
}
