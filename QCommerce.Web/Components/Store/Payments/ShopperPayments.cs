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

    public static string Describe(PaymentView payment) => payment.Status switch
    {
        PaymentStatus.Captured when payment.Refunded.MinorUnits > 0 => $"Paid {payment.Captured} by card; {payment.Refunded} refunded.",
        PaymentStatus.Captured => $"Paid {payment.Captured} by card.",
        PaymentStatus.Refunded => $"{payment.Refunded} refunded to your card.",
        PaymentStatus.Failed => $"The payment did not go through: {payment.FailureMessage}",
        PaymentStatus.RequiresAction => "Waiting for your bank to confirm the payment (3-D Secure).",
        PaymentStatus.Authorized => "Your bank approved the payment; it is being taken.",
        _ => "Waiting for your card payment.",
    };
}
