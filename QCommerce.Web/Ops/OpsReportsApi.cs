using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Common;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Ops;

public sealed record AuditEntryDto(long Id, DateTime At, string Staff, string Action, string EntityType, string EntityId, StoreId? StoreId,
    string? Before, string? After, string? Note);

public sealed record AuditListDto(IReadOnlyList<AuditEntryDto> Items, string? NextCursor);

public sealed record StuckOrderDto(OrderId OrderId, StoreId StoreId, OrderStatus Status, string Why, DateTime Since);

public sealed record DashboardDto(
    DateTime Since, int Orders, MoneyDto Gmv, MoneyDto AverageBasket, double? PaymentSuccessRate, int CartsToday, int PaymentsStarted, int Paid,
    IReadOnlyDictionary<string, int> OpenByState, IReadOnlyList<StuckOrderDto> Stuck, double? AveragePickMinutes, double? AverageOrderToDoorMinutes,
    double? OnTimeRate, int Delivered, IReadOnlyList<int> OrdersPerHour, IReadOnlyList<int> OrdersPerHourSameDayLastWeek, IReadOnlyList<DayGmvDto> GmvPerDay);

public sealed record DayGmvDto(DateOnly Day, MoneyDto Gmv);

/// <summary><c>/v1/ops/audit</c> and <c>/v1/ops/dashboard</c>: the audit log and the dashboard's figures for integrations.</summary>
public static class OpsReportsApi
{
    public static RouteGroupBuilder MapOpsReportsApi(this RouteGroupBuilder ops)
    {
        ops.MapGet("/audit", async Task<Results<Ok<AuditListDto>, ValidationProblem>> (string? entity, string? staff, string? action, DateTime? from, DateTime? to,
            string? cursor, string? pageSize, HttpContext http, AuditQueries audit, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var size = problems.Int("pageSize", pageSize, 50, 1, AuditQueries.MaxPageSize);
            if (action is { Length: > 0 } && !AuditActions.All.Contains(action)) problems.Add("action", $"Use one of {string.Join(", ", AuditActions.All)}.");
            if (from is { } f && to is { } t && t <= f) problems.Add("to", "'to' must be after 'from'.");
            if (entity is { Length: > 256 } || staff is { Length: > 256 }) problems.Add("entity", "At most 256 characters.");
            if (problems.Any) return problems.ToProblem();
            var page = await audit.ListAsync(await http.StaffAsync(ct), new AuditFilter(staff, entity, action, from?.ToUniversalTime(), to?.ToUniversalTime()), cursor, size, ct);
            return TypedResults.Ok(new AuditListDto(page.Items.Select(a => new AuditEntryDto(a.Id, a.AtUtc, a.StaffEmail, a.Action, a.EntityType, a.EntityId,
                a.StoreId is { } s ? StoreId.Of(s) : null, a.Before, a.After, a.Note)).ToList(), page.NextCursor));
        })
        .WithTags("Ops: audit").WithSummary("Staff actions newest first (keyset pages): who, when, what, on which entity, before and after.");

        ops.MapGet("/dashboard", async Task<Results<Ok<DashboardDto>, ValidationProblem, ProblemHttpResult>> (string? storeId, HttpContext http, OpsDashboard dashboard, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            if (problems.Any) return problems.ToProblem();
            var staff = await http.StaffAsync(ct);
            if (store is { } s && !staff.CanSee(s)) return TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Store '{storeId}' was not found.");
            var f = await dashboard.ReadAsync(staff, store, ct);
            return TypedResults.Ok(new DashboardDto(f.SinceUtc, f.OrdersToday, MoneyDto.From(f.Gmv), MoneyDto.From(f.AverageBasket), f.PaymentSuccessRate,
                f.CartsToday, f.PaymentsStartedToday, f.PaidToday,
                f.OpenByState.ToDictionary(s => WireNames.Of(s.Key), s => s.Value),
                f.Stuck.Select(s => new StuckOrderDto(OrderId.Of(s.OrderId), StoreId.Of(s.StoreId), s.Status, s.Why, s.SinceUtc)).ToList(),
                f.AveragePickMinutes, f.AverageDoorMinutes, f.OnTimeRate, f.DeliveredToday, f.OrdersPerHourToday, f.OrdersPerHourLastWeek,
                f.GmvPerDay.Select(d => new DayGmvDto(d.Day, MoneyDto.From(d.Gmv))).ToList()));
        })
        .WithTags("Ops: dashboard").WithSummary("The dashboard's figures for today (from the stores' local midnight), for one store or all of the caller's.");
        return ops;
    }
}
