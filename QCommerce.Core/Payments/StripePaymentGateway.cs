using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Stripe;

namespace QCommerce.Core.Payments;

/// <summary>
/// <see cref="IPaymentGateway"/> through Stripe.net: the same code talks to api.stripe.com or to the
/// embedded sandbox (only the API base differs). Its HTTP calls go through <see cref="PspResilience"/> (timeouts, retries
/// under the same idempotency key, the circuit breaker); what still fails becomes <see cref="PaymentProviderUnavailableException"/>.
/// </summary>
/// <param name="transport">What carries the HTTP requests: the network by default; a test may record them instead.</param>
public sealed partial class StripePaymentGateway(IStripeApiLocation location, IOptions<PaymentsOptions> options, PspResilience resilience,
    ILogger<StripePaymentGateway> logger, HttpMessageHandler? transport = null) : IPaymentGateway
{
    private const string LocalRefundKey = "qc_refund_key";
    private const string OrderKey = "order_id";
    private const string PaymentKey = "payment_id";
    private const string AttemptKey = "attempt";
    private readonly Lazy<StripeClient> _client = new(() => CreateClient(location, options.Value, resilience, transport));

    /// <summary>
    /// A Checkout Session in payment mode: the order's goods and tax as line items, the delivery fee as its shipping rate,
    /// the discount as a one-off coupon (Stripe shows discounts only as coupons; it is made first, under a key of its own
    /// derived from the attempt's, so a repeat makes no second coupon). The order and payment ids ride in the session's and
    /// the PaymentIntent's metadata, so either's events find the payment whichever comes first.
    /// </summary>
    public async Task<PspCheckout> CreateCheckoutAsync(CheckoutRequest request, string idempotencyKey, CancellationToken ct)
    {
        var currency = request.Currency.ToLowerInvariant();
        var metadata = new Dictionary<string, string>
        {
            [OrderKey] = request.OrderId,
            [PaymentKey] = request.PaymentId,
            [AttemptKey] = request.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        string? coupon = null;
        if (request.DiscountMinor > 0)
        {
            var made = await CallAsync("create the order's discount", () => new CouponService(_client.Value).CreateAsync(new CouponCreateOptions
            {
                AmountOff = request.DiscountMinor,
                Currency = currency,
                Duration = "once",
                MaxRedemptions = 1,
                Name = "Order discount",
                Metadata = metadata,
            }, new RequestOptions { IdempotencyKey = idempotencyKey + "-discount" }, ct));
            coupon = made.Id;
        }
        var create = new Stripe.Checkout.SessionCreateOptions
        {
            Mode = "payment",
            Currency = currency,
            LineItems = request.Lines.Select(l => new Stripe.Checkout.SessionLineItemOptions
            {
                Quantity = l.Quantity,
                PriceData = new Stripe.Checkout.SessionLineItemPriceDataOptions
                {
                    Currency = currency,
                    UnitAmount = l.UnitAmountMinor,
                    ProductData = new Stripe.Checkout.SessionLineItemPriceDataProductDataOptions { Name = l.Name },
                },
            }).ToList(),
            ShippingOptions = request.DeliveryFeeMinor > 0
                ?
                [
                    new Stripe.Checkout.SessionShippingOptionOptions
                    {
                        ShippingRateData = new Stripe.Checkout.SessionShippingOptionShippingRateDataOptions
                        {
                            Type = "fixed_amount",
                            DisplayName = "Delivery",
                            FixedAmount = new Stripe.Checkout.SessionShippingOptionShippingRateDataFixedAmountOptions { Amount = request.DeliveryFeeMinor, Currency = currency },
                        },
                    },
                ]
                : null,
            Discounts = coupon is null ? null : [new Stripe.Checkout.SessionDiscountOptions { Coupon = coupon }],
            PaymentIntentData = new Stripe.Checkout.SessionPaymentIntentDataOptions
            {
                // Held, not taken: the pick says what is captured (Order.Hold.cs); a short pick is never charged.
                CaptureMethod = "manual",
                Description = $"QCommerce order {request.OrderId}",
                Metadata = metadata,
            },
            Metadata = metadata,
            ClientReferenceId = request.PaymentId,
            SuccessUrl = request.SuccessUrl,
            CancelUrl = request.CancelUrl,
            ExpiresAt = request.ExpiresAtUtc,
        };
        var session = await CallAsync("create a Checkout Session", () =>
            new Stripe.Checkout.SessionService(_client.Value).CreateAsync(create, new RequestOptions { IdempotencyKey = idempotencyKey }, ct));
        if (session.AmountTotal != request.TotalMinor)
            logger.LogError("Checkout Session {SessionId} totals {StripeTotal} minor units; the order's total is {Total}", session.Id, session.AmountTotal, request.TotalMinor);
        return Map(session);
    }

    public async Task<PspCheckout> GetCheckoutAsync(string checkoutId, CancellationToken ct) =>
        Map(await CallAsync("read a Checkout Session", () => new Stripe.Checkout.SessionService(_client.Value).GetAsync(checkoutId, null, null, ct)));

    public async Task<PspCheckout> ExpireCheckoutAsync(string checkoutId, CancellationToken ct)
    {
        try
        {
            return Map(await CallAsync("expire a Checkout Session", () =>
                new Stripe.Checkout.SessionService(_client.Value).ExpireAsync(checkoutId, null, new RequestOptions { IdempotencyKey = $"qc-expire-{checkoutId}" }, ct)));
        }
        catch (StripeException ex) when (ex.HttpStatusCode == HttpStatusCode.BadRequest)
        {
            // Complete or expired already: what it is now is the answer.
            return await GetCheckoutAsync(checkoutId, ct);
        }
    }

    public async Task<PspIntent> GetIntentAsync(string intentId, CancellationToken ct) =>
        Map(await CallAsync("read a PaymentIntent", () => new PaymentIntentService(_client.Value).GetAsync(intentId, null, null, ct)));

    public async Task<PspIntent> CancelIntentAsync(string intentId, CancellationToken ct)
    {
        try
        {
            return Map(await CallAsync("cancel a PaymentIntent", () =>
                new PaymentIntentService(_client.Value).CancelAsync(intentId, null, new RequestOptions { IdempotencyKey = $"qc-cancel-{intentId}" }, ct)));
        }
        catch (StripeException ex) when (ex.StripeError?.Code == "payment_intent_unexpected_state")
        {
            // Already succeeded or cancelled: what it is now is the answer.
            return await GetIntentAsync(intentId, ct);
        }
    }

    /// <summary>
    /// Takes <paramref name="amountMinor"/> of the money held on a PaymentIntent; Stripe releases the rest to the card. A
    /// refusal (the hold lapsed or was released, more than is held) is <see cref="PaymentRefusedException"/>.
    /// </summary>
    public async Task<PspIntent> CaptureAsync(string intentId, long amountMinor, string idempotencyKey, CancellationToken ct)
    {
        try
        {
            return Map(await CallAsync("capture a PaymentIntent", () => new PaymentIntentService(_client.Value).CaptureAsync(intentId,
                new PaymentIntentCaptureOptions { AmountToCapture = amountMinor }, new RequestOptions { IdempotencyKey = idempotencyKey }, ct)));
        }
        catch (StripeException ex) when (ex.HttpStatusCode is HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired)
        {
            throw new PaymentRefusedException(ex.StripeError?.Message ?? ex.Message, ex);
        }
    }

    public async Task<PspRefund> CreateRefundAsync(string intentId, long amountMinor, Guid localKey, string idempotencyKey, CancellationToken ct)
    {
        var create = new RefundCreateOptions
        {
            PaymentIntent = intentId,
            Amount = amountMinor,
            Metadata = new Dictionary<string, string> { [LocalRefundKey] = localKey.ToString("N") },
        };
        try
        {
            return Map(await CallAsync("create a refund", () =>
                new Stripe.RefundService(_client.Value).CreateAsync(create, new RequestOptions { IdempotencyKey = idempotencyKey }, ct)));
        }
        catch (StripeException ex) when (ex.HttpStatusCode is HttpStatusCode.BadRequest or HttpStatusCode.PaymentRequired)
        {
            // Refused for good (more than the charge has left, the charge disputed): a failed refund, which the order then
            // owes again and a person looks at; asking again with the same key would only be refused again.
            logger.LogError("The payment provider refused a refund of {Amount} minor units on {IntentId}: {Reason}", amountMinor, intentId, ex.StripeError?.Message ?? ex.Message);
            return new PspRefund($"refused_{localKey:N}", intentId, amountMinor, RefundStatus.Failed, localKey, ex.StripeError?.Message ?? ex.Message);
        }
    }

    public async Task<PspRefund> GetRefundAsync(string refundId, CancellationToken ct) =>
        Map(await CallAsync("read a refund", () => new Stripe.RefundService(_client.Value).GetAsync(refundId, null, null, ct)));

    public async Task<IReadOnlyList<PspRefund>> ListRefundsAsync(string intentId, CancellationToken ct)
    {
        var list = await CallAsync("list refunds", () =>
            new Stripe.RefundService(_client.Value).ListAsync(new RefundListOptions { PaymentIntent = intentId, Limit = 100 }, null, ct));
        return list.Data.Select(Map).ToList();
    }

    public async Task<IReadOnlyList<PspEventInput>> ListEventsAsync(DateTime sinceUtc, CancellationToken ct)
    {
        var events = new List<PspEventInput>();
        await CallAsync("list events", async () =>
        {
            var list = new EventListOptions { Created = new DateRangeOptions { GreaterThanOrEqual = sinceUtc }, Limit = 100 };
            await foreach (var stripeEvent in new EventService(_client.Value).ListAutoPagingAsync(list, null, ct))
            {
                if (Map(stripeEvent) is { } input) events.Add(input);
                if (events.Count >= MaxEventsPerListing) break;
            }
            return events;
        });
        return events.OrderBy(e => e.CreatedAtUtc).ToList();
    }

    /// <summary>A run of reconciliation reads at most this many events; the next run reads on.</summary>
    private const int MaxEventsPerListing = 10_000;

    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (StripeException ex) when (ex.HttpStatusCode == HttpStatusCode.NotFound)
        {
            throw new PspObjectMissingException($"The payment provider does not know what we asked it to {what}: {ex.StripeError?.Message ?? ex.Message}", ex);
        }
        catch (StripeException ex) when (IsUnavailable(ex))
        {
            logger.LogWarning(ex, "The payment provider did not answer when asked to {What} (HTTP {Status}); nothing was changed", what, (int)ex.HttpStatusCode);
            throw new PaymentProviderUnavailableException("The payment provider is not answering right now; please try again in a moment.", ex);
        }
        catch (Exception ex) when (ex is BrokenCircuitException or IsolatedCircuitException)
        {
            throw new PaymentProviderUnavailableException("Card payments are paused for a moment: the payment provider keeps failing. Cash on delivery still works.", ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or TaskCanceledException
            && ex is not OperationCanceledException { CancellationToken.IsCancellationRequested: true })
        {
            logger.LogWarning(ex, "The payment provider could not be reached to {What}", what);
            throw new PaymentProviderUnavailableException("The payment provider is not answering right now; please try again in a moment.", ex);
        }
    }

    private static bool IsUnavailable(StripeException ex) =>
        (int)ex.HttpStatusCode >= 500 || ex.HttpStatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.Conflict or 0
        || ex.InnerException is HttpRequestException or TaskCanceledException;

    private static StripeClient CreateClient(IStripeApiLocation location, PaymentsOptions options, PspResilience resilience, HttpMessageHandler? transport)
    {
        var carried = new ResilienceHandler(resilience.Pipeline) { InnerHandler = transport ?? new SocketsHttpHandler() };
        // Each try has its own timeout in the pipeline; this only bounds the whole (every try and the waits between).
        var http = new HttpClient(carried) { Timeout = options.PspTimeout * (options.PspRetries + 1) + TimeSpan.FromSeconds(5) };
        // Stripe.net's own retries stay off: the pipeline retries, and counts the failures the circuit breaker needs.
        var stripeHttp = new SystemNetHttpClient(http, maxNetworkRetries: 0, enableTelemetry: false);
        return new StripeClient(new StripeClientOptions
        {
            ApiKey = location.ApiKey,
            HttpClient = stripeHttp,
            ApiBase = location.ApiBase ?? StripeClient.DefaultApiBase,
        });
    }
}
