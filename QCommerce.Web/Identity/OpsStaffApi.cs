using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Identity;
using QCommerce.Core.Messages;
using QCommerce.Web.Common;

namespace QCommerce.Web.Identity;

public sealed record OpsStaffDto(string UserId, string Email, string DisplayName, string Role, IReadOnlyList<StoreId> Stores, bool Locked, DateTime CreatedAt)
{
    public static OpsStaffDto From(StaffMemberView m) =>
        new(m.UserId, m.Email, m.DisplayName, m.Role, m.StoreIds.Select(StoreId.Of).ToList(), m.Locked, m.CreatedAtUtc);
}

/// <summary>A new colleague, and the address their invitation went to (its link lets them choose a password, for three days).</summary>
public sealed record OpsStaffCreatedDto(OpsStaffDto Member, string InvitationSentTo);

public sealed record OpsStaffRequest(string? Email, string? DisplayName, string? Role, List<string?>? Stores);

public sealed record OpsStaffChangeRequest(string? Role, List<string?>? Stores);

/// <summary>
/// <c>/v1/ops/staff</c> (Admin): the staff page's actions for integrations. A role is given with the stores it applies to: an
/// Ops colleague names at least one store (they see only those), an admin sees every store. The last admin who can sign in
/// can be neither locked nor made Ops; a lock signs the colleague out everywhere and refuses their token at once.
/// </summary>
public static class OpsStaffApi
{
    public static RouteGroupBuilder MapOpsStaffApi(this RouteGroupBuilder ops)
    {
        var staff = ops.MapGroup("/staff").WithTags("Ops: staff").RequireAuthorization(Roles.Admin);

        staff.MapGet("/", async (HttpContext http, StaffService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListAsync(await http.StaffAsync(ct), ct)).Select(OpsStaffDto.From).ToList()))
            .WithSummary("Every colleague with their role, stores and whether they are locked.");

        staff.MapPost("/", async Task<Results<Created<OpsStaffCreatedDto>, ValidationProblem>> ([FromBody] OpsStaffRequest? body, HttpContext http,
            StaffService service, AccountMail mail, CancellationToken ct) =>
        {
            var problems = new Core.Common.ProblemList();
            if (body is null) problems.Add("body", "Send {email, displayName, role: Ops|Admin, stores: [\"st_1\"]}.");
            var stores = Stores(problems, body?.Stores);
            if (problems.Any) return problems.ToProblem();
            var created = await service.CreateAsync(await http.StaffAsync(ct), body!.Email, body.DisplayName, body.Role, stores, ct);
            await mail.SendStaffInvitationAsync(created.Member.UserId, ct);
            return TypedResults.Created($"/v1/ops/staff/{created.Member.UserId}", new OpsStaffCreatedDto(OpsStaffDto.From(created.Member), created.Member.Email));
        })
        .WithSummary("Adds a colleague and e-mails them an invitation to choose a password: {email, displayName, role: Ops|Admin, stores}; Ops needs at least one store.")
        .Accepts<OpsStaffRequest>("application/json").ProducesValidationProblem().ProducesProblem(403).ProducesValidationProblem(422);

        staff.MapPut("/{userId}", async Task<Results<Ok<OpsStaffDto>, ValidationProblem>> ([FromBody] OpsStaffChangeRequest? body, string userId, HttpContext http,
            StaffService service, CancellationToken ct) =>
        {
            var problems = new Core.Common.ProblemList();
            if (body is null) problems.Add("body", "Send {role: Ops|Admin, stores: [\"st_1\"]}.");
            var stores = Stores(problems, body?.Stores);
            if (problems.Any) return problems.ToProblem();
            var admin = await http.StaffAsync(ct);
            await service.ChangeAsync(admin, userId, body!.Role, stores, ct);
            return TypedResults.Ok(OpsStaffDto.From(await service.FindAsync(admin, userId, ct)));
        })
        .WithSummary("Changes a colleague's role and the stores it applies to: {role, stores} (Ops: at least one store; Admin: every store).")
        .Accepts<OpsStaffChangeRequest>("application/json").ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409)
        .ProducesValidationProblem(422);

        staff.MapPost("/{userId}/password-link", async (string userId, HttpContext http, StaffService service, AccountMail mail, CancellationToken ct) =>
        {
            await SendPasswordLinkAsync(await http.StaffAsync(ct), userId, service, mail, ct);
            return TypedResults.Accepted((string?)null);
        })
        .WithSummary("E-mails a colleague a link to choose a password: their invitation again if they never chose one, else a one-hour reset link.")
        .ProducesProblem(403).ProducesProblem(404);

        staff.MapPost("/{userId}/lock", async (string userId, HttpContext http, StaffService service, CancellationToken ct) =>
        {
            var admin = await http.StaffAsync(ct);
            await service.LockAsync(admin, userId, ct);
            return TypedResults.Ok(OpsStaffDto.From(await service.FindAsync(admin, userId, ct)));
        })
        .WithSummary("Locks a colleague out: their sessions and tokens stop working at once. Not yourself, not the last admin.")
        .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        staff.MapPost("/{userId}/unlock", async (string userId, HttpContext http, StaffService service, CancellationToken ct) =>
        {
            var admin = await http.StaffAsync(ct);
            await service.UnlockAsync(admin, userId, ct);
            return TypedResults.Ok(OpsStaffDto.From(await service.FindAsync(admin, userId, ct)));
        })
        .WithSummary("Lets a locked colleague sign in again (with their password as it was).").ProducesProblem(403).ProducesProblem(404);

        return ops;
    }

    /// <summary>The staff page's and the API's "send a password link": audited by the staff use case, then sent.</summary>
    public static async Task SendPasswordLinkAsync(Core.Common.StaffActor admin, string userId, StaffService service, AccountMail mail, CancellationToken ct)
    {
        var hasPassword = await service.PasswordLinkAsync(admin, userId, ct);
        if (hasPassword) await mail.SendPasswordResetAsync((await service.FindAsync(admin, userId, ct)).Email, ct);
        else await mail.SendStaffInvitationAsync(userId, ct);
    }

    private static List<int> Stores(Core.Common.ProblemList problems, List<string?>? stores)
    {
        var ids = new List<int>();
        for (var i = 0; i < (stores?.Count ?? 0); i++)
            if (problems.RequiredId<StoreId>($"stores[{i}]", stores![i]) is { } id) ids.Add(id);
        return ids;
    }
}
