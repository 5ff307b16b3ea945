namespace QCommerce.Core.Payments;

/// <summary>Money going back to the card: refunds we ask for, and those the PSP reports, never more than was captured.</summary>
public sealed partial class Payment
{
    /// <summary>
    /// Promises money back; the PSP is asked next, with the refund's own idempotency key. A
    /// <paramref name="key"/> already used returns that refund, so a repeated request is one refund.
    /// </summary>
    public PaymentRefund RequestRefund(long amountMinor, string reason, string actor, DateTime now, Guid? key = null)
    {
        if (key is { } k && _refunds.FirstOrDefault(r => r.Key == k) is { } existing) return existing;
        if (Status is not PaymentStatus.Captured)
            throw new ConflictException($"Payment {PublicId} is {Status}; only captured money can be refunded.");
        if (amountMinor <= 0) throw new DomainException("A refund is a positive amount.");
        if (amountMinor > RefundableMinor)
            throw new ConflictException($"Payment {PublicId} has {new Money(Currency, RefundableMinor)} left to refund; {new Money(Currency, amountMinor)} is more than that.");
        var refund = new PaymentRefund(amountMinor, Shorten(reason), actor, now, key);
        _refunds.Add(refund);
        Touch(now);
        return refund;
    }

    /// <summary>
    /// Whether a refund the PSP reports is one it could have made: one of ours, or one of the PaymentIntent whose money was
    /// captured here, positive, and within what the charge has left after every refund not failed. Anything else (a forged
    /// or broken event) must never count as money. A refund's event that overtook its capture's is not one yet: refused, the
    /// PSP sends it again (Stripe retries for days) and it counts once the capture is here.
    /// </summary>
    public bool CouldBeRefunded(string intentId, string pspRefundId, Guid? localKey, long amountMinor)
    {
        var attempt = _attempts.FirstOrDefault(a => a.PspReference == intentId);
        if (amountMinor <= 0 || attempt is null || amountMinor > attempt.AmountMinor) return false;
        if (_refunds.Any(r => r.PspRefundId == pspRefundId || (localKey is { } key && r.Key == key))) return true;
        return attempt.Status == PaymentStatus.Captured
            && _refunds.Where(r => r.Status != RefundStatus.Failed).Sum(r => r.AmountMinor) + amountMinor <= CapturedMinor;
    }

    /// <summary>
    /// Applies what the PSP says about a refund. Ours move from pending to succeeded or failed, once. A refund we never asked
    /// for (made at the PSP directly) is recorded only once it succeeded: a pending one is no promise of ours and never holds
    /// back what staff may refund; it is for the order's account to count and a person to look at.
    /// </summary>
    public PaymentChange ObserveRefund(string pspRefundId, Guid? localKey, long amountMinor, RefundStatus observed, string? failure, DateTime now)
    {
        if (amountMinor <= 0) throw new DomainException("A refund is a positive amount.");
        var refund = _refunds.FirstOrDefault(r => r.PspRefundId == pspRefundId)
            ?? (localKey is { } key ? _refunds.FirstOrDefault(r => r.Key == key) : null);
        if (refund is null)
        {
            if (observed != RefundStatus.Succeeded || !IsCaptured) return PaymentChange.None;
            refund = new PaymentRefund(amountMinor, "Refunded at the payment provider.", "psp", now, localKey, unasked: true);
            _refunds.Add(refund);
        }
        refund.PspRefundId ??= pspRefundId;
        if (refund.Status != RefundStatus.Pending || observed == RefundStatus.Pending)
        {
            Touch(now);
            return PaymentChange.None;
        }
        refund.Status = observed;
        refund.CompletedAtUtc = now;
        if (observed == RefundStatus.Failed)
        {
            refund.FailureMessage = Shorten(failure ?? "The refund failed.");
            Touch(now);
            return PaymentChange.RefundFailed;
        }
        SettleRefunds();
        Touch(now);
        return PaymentChange.RefundSucceeded;
    }

    /// <summary>Refunded so far is what succeeded, never more than was captured; all of it makes the payment Refunded.</summary>
    private void SettleRefunds()
    {
        RefundedMinor = Math.Min(CapturedMinor, _refunds.Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.AmountMinor));
        if (Status == PaymentStatus.Captured && CapturedMinor > 0 && RefundedMinor == CapturedMinor) Status = PaymentStatus.Refunded;
    }

    /// <summary>The PSP's answer to our own refund request.</summary>
    public void RecordRefundReference(Guid key, string pspRefundId, DateTime now)
    {
        var refund = _refunds.FirstOrDefault(r => r.Key == key) ?? throw new DomainException($"Payment {PublicId} has no refund {key}.");
        refund.PspRefundId ??= pspRefundId;
        Touch(now);
    }
}
