using Microsoft.AspNetCore.Components;
using QCommerce.Core.Common;
using QCommerce.Core.Payments;
using QCommerce.Web.Common;

namespace QCommerce.Web.Components.Store.Payments;

/// <summary>
/// "Pay" from any storefront page: back to the PSP's page of the attempt under way, a new attempt
/// after a failure, or a first payment. The shopper's browser then leaves for the PSP.
/// </summary>
public static class ShopperPayments
{
    /// <summary>Navigates to the PSP, or returns what the shopper should read instead.</summary>
    /// <param name="key">This page's idempotency key: a double click replays the first answer.</param>
    public static async Task<string?> GoPayAsync(PaymentService payments, PaymentQueries queries, NavigationManager navigation, RateLimits limits,
        string userId, int orderId, string key)
    {
        try
        {
            var current = await queries.ForOrderAsync(orderId);
            if (current is { CanContinue: true })
            {
                navigation.NavigateTo(current.RedirectUrl!, forceLoad: true);
                return null;
            }
            limits.Enforce(RateLimitPolicies.PaymentsPerUser, userId);
            var result = current is { CanRetry: true }
                ? await payments.RetryAsync(userId, current.Id, navigation.BaseUri, $"{key}-attempt-{current.Attempts.Count + 1}")
                : await payments.StartAsync(userId, orderId, navigation.BaseUri, key);
            if (result.Receipt.RedirectUrl is not { } url) return "The payment provider did not open a payment page; try again in a moment.";
            navigation.NavigateTo(url, forceLoad: true);
            return null;
        }
        catch (PaymentProviderUnavailableException e)
        {
            return $"{e.Message} Nothing was charged.";
        }
        catch (DomainException e)
        {
            return e.Message;
        }
    }

    /// <summary>The payment in the shopper's words: held (you pay only for what we pick), charged and released, refunded, failed.</summary>
    public static string Describe(PaymentView payment)
    {
        var released = payment.Released.MinorUnits > 0 ? $"; {payment.Released} of the hold went back to your card" : "";
        var refunded = payment.Refunded.MinorUnits > 0 ? $"; {payment.Refunded} refunded" : "";
        return payment.Status switch
        {
            PaymentStatus.Captured => $"Charged {payment.Captured} by card{released}{refunded}.",
            PaymentStatus.Refunded => $"{payment.Refunded} refunded to your card.",
            PaymentStatus.Failed => $"The payment did not go through: {payment.FailureMessage}",
            PaymentStatus.RequiresAction => "Not finished: your bank asked you to confirm the payment (3-D Secure). Nothing is charged until you do.",
            PaymentStatus.Authorized when payment.CaptureFailure is not null => "Your card could not be charged; the store will be in touch.",
            PaymentStatus.Authorized when payment.Capturing.MinorUnits > 0 =>
                $"Charging {payment.Capturing} by card for what we picked; the rest of the {payment.Held} held goes back to your card.",
            PaymentStatus.Authorized when payment.Held.MinorUnits > 0 =>
                $"Paid by card: {payment.Held} is held on your card. You pay only for what we pick; the rest is released, never charged.",
            PaymentStatus.Authorized => "Your bank approved the payment; it is being taken.",
            PaymentStatus.Voided => $"The {payment.Held} held on your card was released; nothing was charged.",
            PaymentStatus.Expired => $"The {payment.Held} held on your card lapsed; nothing was charged.",
            _ => "Not paid yet: the payment page was left before the end. Nothing was charged.",
        };
    }
}
