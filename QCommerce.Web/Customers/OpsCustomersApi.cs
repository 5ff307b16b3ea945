using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Customers;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Customers;

public sealed record OpsCustomerRowDto(string UserId, string Name, string Email, string? Phone, DateTime CreatedAt, bool Locked, int Orders, DateTime? LastOrderAt);

public sealed record OpsCustomerListDto(IReadOnlyList<OpsCustomerRowDto> Items, bool More);

public sealed record OpsCustomerOrderDto(OrderId OrderId, StoreId StoreId, string Status, string PaymentMethod, MoneyDto Total, DateTime CreatedAt);

public sealed record OpsCustomerRefundDto(RefundId RefundId, MoneyDto Amount, string Status, string Reason, DateTime CreatedAt);

public sealed record OpsCustomerPaymentDto(PaymentId PaymentId, OrderId OrderId, string Status, MoneyDto Amount, MoneyDto Captured, MoneyDto Refunded,
    IReadOnlyList<OpsCustomerRefundDto> Refunds);

public sealed record OpsCustomerDto(string UserId, string Name, string Email, bool EmailConfirmed, string? Phone, DateTime CreatedAt, bool Locked,
    IReadOnlyList<CustomerAddress> Addresses, IReadOnlyList<OpsCustomerOrderDto> Orders, IReadOnlyList<OpsCustomerPaymentDto> Payments,
    IReadOnlyList<CustomerNoteView> Notes, CustomerLock? Lock)
{
    public static OpsCustomerDto From(CustomerDetail c) => new(c.UserId, c.Name, c.Email, c.EmailConfirmed, c.Phone, c.CreatedAtUtc, c.Locked, c.Addresses,
        c.Orders.Select(o => new OpsCustomerOrderDto(OrderId.Of(o.OrderId), StoreId.Of(o.StoreId), WireNames.Of(o.Status), Ordering.OrderPlacedDto.PaymentMethodName(o.PaymentMethod),
            MoneyDto.From(o.Total), o.CreatedAtUtc)).ToList(),
        c.Payments.Select(p => new OpsCustomerPaymentDto(PaymentId.Of(p.PaymentId), OrderId.Of(p.OrderId), WireNames.Of(p.Status), MoneyDto.From(p.Amount),
            MoneyDto.From(p.Captured), MoneyDto.From(p.Refunded),
            p.Refunds.Select(r => new OpsCustomerRefundDto(RefundId.Of(r.RefundId), MoneyDto.From(r.Amount), WireNames.Of(r.Status), r.Reason, r.CreatedAtUtc)).ToList()))
            .ToList(),
        c.Notes, c.Lock);
}

public sealed record OpsCustomerNoteRequest(string? Text);

public sealed record OpsCustomerLockRequest(string? Reason);

/// <summary>
/// <c>/v1/ops/customers</c> (Support, Ops, Admin): find a customer by part of their name, e-mail or phone, or by an order id; read
/// their account, addresses, orders, payments and refunds (of the caller's stores) and notes; add a note; lock or unlock the
/// account. Every look is audited.
/// </summary>
public static class OpsCustomersApi
{
    public static RouteGroupBuilder MapOpsCustomersApi(this RouteGroupBuilder ops)
    {
        var customers = ops.MapGroup("/customers").WithTags("Ops: customers");

        customers.MapGet("/", async (string? q, HttpContext http, CustomerSearch search, CancellationToken ct) =>
        {
            var found = await search.FindAsync(await http.StaffAsync(ct), q, ct);
            return TypedResults.Ok(new OpsCustomerListDto(found.Customers.Select(c => new OpsCustomerRowDto(c.UserId, c.Name, c.Email, c.Phone, c.CreatedAtUtc, c.Locked,
                c.Orders, c.LastOrderAtUtc)).ToList(), found.More));
        })
        .WithSummary("Customers whose name, e-mail or phone contains q (2 to 100 characters), or who placed order q: at most 25, best first; more: true when there were more.")
        .ProducesValidationProblem(422).ProducesProblem(403);

        customers.MapGet("/{userId}", async (string userId, HttpContext http, CustomerCare care, CancellationToken ct) =>
            TypedResults.Ok(OpsCustomerDto.From(await care.ReadAsync(await http.StaffAsync(ct), userId, ct))))
            .WithSummary("One customer: account, addresses, orders, payments and refunds at your stores, and staff notes. Audited.").ProducesProblem(404);

        customers.MapPost("/{userId}/notes", async (string userId, [FromBody] OpsCustomerNoteRequest? body, HttpContext http, CustomerCare care, CancellationToken ct) =>
        {
            await care.AddNoteAsync(await http.StaffAsync(ct), userId, body?.Text, ct);
            return TypedResults.Ok(OpsCustomerDto.From(await care.ReadAsync(await http.StaffAsync(ct), userId, ct)));
        })
        .WithSummary("Adds a note only staff read: {text} (up to 1,000 characters).").Accepts<OpsCustomerNoteRequest>("application/json")
        .ProducesProblem(404).ProducesValidationProblem(422);

        customers.MapPost("/{userId}/lock", async (string userId, [FromBody] OpsCustomerLockRequest? body, HttpContext http, CustomerCare care, CancellationToken ct) =>
        {
            await care.SetLockedAsync(await http.StaffAsync(ct), userId, locked: true, body?.Reason, ct);
            return TypedResults.NoContent();
        })
        .WithSummary("Locks the account ({reason} required): the customer is signed out everywhere and cannot sign in until unlocked.")
        .Accepts<OpsCustomerLockRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        customers.MapPost("/{userId}/unlock", async (string userId, [FromBody] OpsCustomerLockRequest? body, HttpContext http, CustomerCare care, CancellationToken ct) =>
        {
            await care.SetLockedAsync(await http.StaffAsync(ct), userId, locked: false, body?.Reason, ct);
            return TypedResults.NoContent();
        })
        .WithSummary("Lets the customer sign in again ({reason} required: the lock's reason is shown on their page until then).").Accepts<OpsCustomerLockRequest>("application/json").ProducesProblem(404);

        return ops;
    }
}
