using System.Net;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace QCommerce.Core.Payments;

/// <summary>The <c>Payments:Circuit</c> section: when calls to the payment provider stop for a while.</summary>
public sealed class PspCircuitOptions
{
    /// <summary>The share of failed calls (after retries) within <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Fewer calls than this in <see cref="SamplingDuration"/> never open it (one failure of two is no outage).</summary>
    public int MinimumThroughput { get; set; } = 8;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long calls are not even tried once it opened; then one call tries, and its answer closes or reopens it.</summary>
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// How every call to the payment provider is carried (Microsoft.Extensions.Http.Resilience, on Polly): each try gets
/// <see cref="PaymentsOptions.PspTimeout"/>; a timeout, a 5xx, a 408, a 409 (Stripe: the same key still in flight) or a
/// 429 is tried again, up to <see cref="PaymentsOptions.PspRetries"/> times with jittered backoff, as the very same
/// request, so with the same <c>Idempotency-Key</c> (a POST without one is never retried: it could happen twice); and
/// when most calls fail, a circuit breaker stops calling for a while, so shoppers hear at once that card payments are
/// paused (and are offered cash on delivery) instead of each waiting for timeouts. One circuit for the process: every
/// caller sees the same state, which readiness reports.
/// </summary>
public sealed class PspResilience
{
    private readonly CircuitBreakerStateProvider _circuit = new();

    public PspResilience(IOptions<PaymentsOptions> options, TimeProvider clock, ILogger<PspResilience> logger)
    {
        var payments = options.Value;
        var circuit = payments.Circuit;
        Pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = clock }
            .AddRetry(new HttpRetryStrategyOptions
            {
                // Polly wants at least one retry configured; PspRetries = 0 (never retry) is kept by ShouldHandle.
                MaxRetryAttempts = Math.Max(payments.PspRetries, 1),
                ShouldHandle = args => ValueTask.FromResult(payments.PspRetries > 0 && MayRetry(args.Context, args.Outcome)),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                OnRetry = args =>
                {
                    logger.LogWarning("The payment provider failed a call ({Outcome}); trying again in {Delay} ms with the same idempotency key (retry {Retry})",
                        Describe(args.Outcome), (int)args.RetryDelay.TotalMilliseconds, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = circuit.FailureRatio,
                MinimumThroughput = Math.Max(circuit.MinimumThroughput, 2),
                SamplingDuration = circuit.SamplingDuration,
                BreakDuration = circuit.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsOutage(args.Outcome)),
                StateProvider = _circuit,
                OnOpened = args =>
                {
                    logger.LogError("The payment provider keeps failing ({Outcome}): card payments are paused for {Break} s, then tried again",
                        Describe(args.Outcome), args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    logger.LogWarning("The payment provider answers again: card payments resume");
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(new HttpTimeoutStrategyOptions { Timeout = payments.PspTimeout })
            .Build();
    }

    public ResiliencePipeline<HttpResponseMessage> Pipeline { get; }

    /// <summary>True while calls are not tried (open, or isolated): card payments are paused.</summary>
    public bool CircuitOpen => _circuit.CircuitState is CircuitState.Open or CircuitState.Isolated;

    public CircuitState CircuitState => _circuit.CircuitState;

    /// <summary>Transient at the provider, and safe to send again (a read, or a write under an idempotency key).</summary>
    private static bool MayRetry(ResilienceContext context, Outcome<HttpResponseMessage> outcome) =>
        IsOutage(outcome) || outcome.Result?.StatusCode == HttpStatusCode.Conflict
            ? context.GetRequestMessage() is not { } request || request.Method == HttpMethod.Get || request.Headers.Contains("Idempotency-Key")
            : false;

    /// <summary>What says the provider is down or overloaded: no answer in time, no connection, a 5xx, a 408 or a 429.</summary>
    private static bool IsOutage(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Exception: OperationCanceledException } => false, // the caller gave up: not the provider's fault
        { Result: { } response } => (int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? e.GetType().Name : $"HTTP {(int)outcome.Result!.StatusCode}";
}

/// <summary>Readiness: degraded (still ready: cash on delivery works) while the payment provider's circuit is open.</summary>
public sealed class PspCircuitReadiness(PspResilience resilience) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(resilience.CircuitOpen
            ? new HealthCheckResult(context.Registration.FailureStatus, "The payment provider keeps failing: card payments are paused, cash on delivery is offered")
            : HealthCheckResult.Healthy($"Circuit {resilience.CircuitState}"));
}
