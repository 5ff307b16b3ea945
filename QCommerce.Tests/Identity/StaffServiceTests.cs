using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Identity;

/// <summary>
/// Staff accounts on the real app and each provider: created with a password shown once that signs in, roles and stores
/// applied, bad input named by field, the last admin kept, a lock that stops every staff action at once, an audit row each.
/// </summary>
public abstract class StaffServiceTests(QCommerceApp app)
{
    private async Task<T> WithServiceAsync<T>(Func<StaffService, Task<T>> act)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await act(scope.ServiceProvider.GetRequiredService<StaffService>());
    }

    private Task WithServiceAsync(Func<StaffService, Task> act) => WithServiceAsync(async s => { await act(s); return 0; });

    private static string NewEmail() => $"colleague-{Guid.NewGuid():N}@qcommerce.test";

    private async Task<StaffActor> AdminAsync()
    {
        await using var db = app.Database.CreateContext();
        var id = await db.Users.Where(u => u.Email == QCommerceApp.AdminEmail).Select(u => u.Id).SingleAsync();
        return (await app.Services.GetRequiredService<StaffDirectory>().FindAsync(id))!;
    }

    private async Task<int> AuditCountAsync(string action, string entity)
    {
        await using var db = app.Database.CreateContext();
        return await db.AuditLog.CountAsync(a => a.Action == action && a.EntityId == entity);
    }

    [Fact]
    public async Task ACreatedColleague_HasNoPasswordUntilTheirInvitationSetsOne_ThenSignsIn_ScopedToTheirStore()
    {
        var admin = await AdminAsync();
        var email = NewEmail();
        var created = await TestStaff.InvitedAsync(app, email, "Pat Picker", Roles.Ops, Demo.Midtown);

        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/v1/auth/login", new { email, password = Inbox.ColleaguePassword })).StatusCode);
        var invitation = await Inbox.AwaitAsync(app, email, Core.Messages.MailKind.StaffInvitation);
        Assert.Contains("invite=1", Inbox.LinkIn(invitation).Query);
        await Inbox.AcceptInvitationAsync(app, email);
        Assert.Contains("expired or was already used", await Inbox.SetPasswordAsync(app, Inbox.LinkIn(invitation), "Another-Passw0rd!")); // one use
        Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/auth/login", new { email, password = Inbox.ColleaguePassword })).StatusCode);
        var staff = await app.Services.GetRequiredService<StaffDirectory>().FindAsync(created.Member.UserId);
        Assert.False(staff!.IsAdmin);
        Assert.Equal([Demo.Midtown], staff.StoreIds!);
        Assert.Equal(1, await AuditCountAsync(AuditActions.StaffCreate, email));
        Assert.Contains(await WithServiceAsync(s => s.ListAsync(admin)), m => m.Email == email && m.StoreIds.SequenceEqual([Demo.Midtown]));
    }

    [Fact]
    public async Task BadInput_IsNamedByField_AndCreatesNobody()
    {
        var admin = await AdminAsync();
        var bad = await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.CreateAsync(admin, "not-an-email", " ", "Owner", [999])));
        foreach (var field in new[] { "email", "displayName", "role", "stores" }) Assert.True(bad.Errors.ContainsKey(field), field);
        // What a mail program would take but no invitation can reach: a name around it, a space in it.
        foreach (var address in new[] { "Ops Person <ops@qcommerce.local>", "a b@qcommerce.local", "ops@", "@qcommerce.local" })
        {
            var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.CreateAsync(admin, address, "Sam", Roles.Ops, [Demo.Midtown])));
            Assert.True(refused.Errors.ContainsKey("email"), address);
        }
        var email = NewEmail();
        await WithServiceAsync(s => s.CreateAsync(admin, email, "Twice", Roles.Ops, [Demo.Midtown]));
        var twice = await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.CreateAsync(admin, email, "Twice", Roles.Ops, [Demo.Midtown])));
        Assert.Contains("already has an account", twice.Errors["email"][0]);
        await Assert.ThrowsAsync<AccessDeniedException>(() => WithServiceAsync(s => s.CreateAsync(TestStaff.ScopedTo(Demo.Midtown), NewEmail(), "X", Roles.Ops, [])));
    }

    [Fact]
    public async Task TheLastAdmin_CanBeNeitherLockedNorDemoted_ButOneOfTwoCan()
    {
        var admin = await AdminAsync();
        await Assert.ThrowsAsync<ConflictException>(() => WithServiceAsync(s => s.LockAsync(admin, admin.UserId))); // nor themselves
        var other = await WithServiceAsync(s => s.CreateAsync(admin, NewEmail(), "Second Admin", Roles.Admin, []));
        var second = (await app.Services.GetRequiredService<StaffDirectory>().FindAsync(other.Member.UserId))!;
        // With two admins, one can demote the other; then the one left is the last.
        await WithServiceAsync(s => s.ChangeAsync(second, admin.UserId, Roles.Ops, [Demo.Midtown]));
        var last = await Assert.ThrowsAsync<ConflictException>(() => WithServiceAsync(s => s.ChangeAsync(second, second.UserId, Roles.Ops, [Demo.Midtown])));
        Assert.Contains("last admin", last.Message);
        await WithServiceAsync(s => s.ChangeAsync(second, admin.UserId, Roles.Admin, []));
        Assert.True((await app.Services.GetRequiredService<StaffDirectory>().FindAsync(admin.UserId))!.IsAdmin);
    }

    [Fact]
    public async Task ARoleChange_SaysTheStoresItAppliesTo_NeverEveryStoreByOmission()
    {
        var admin = await AdminAsync();
        var directory = app.Services.GetRequiredService<StaffDirectory>();
        var withStores = await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.CreateAsync(admin, NewEmail(), "Stored Sam", Roles.Admin, [Demo.Downtown])));
        Assert.True(withStores.Errors.ContainsKey("stores")); // an admin sees every store: stores with the role are refused, not dropped
        var boss = await WithServiceAsync(s => s.CreateAsync(admin, NewEmail(), "Demoted Dana", Roles.Admin, []));
        Assert.Null((await directory.FindAsync(boss.Member.UserId))!.StoreIds);

        // "Make Ops" with no stores was "every store" for an Ops colleague: now the change must say which.
        var none = await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.ChangeAsync(admin, boss.Member.UserId, Roles.Ops, [])));
        Assert.True(none.Errors.ContainsKey("stores"));
        Assert.True((await directory.FindAsync(boss.Member.UserId))!.IsAdmin); // nothing changed
        await Assert.ThrowsAsync<RequestRejectedException>(() => WithServiceAsync(s => s.CreateAsync(admin, NewEmail(), "Nowhere Ned", Roles.Ops, null)));

        await WithServiceAsync(s => s.ChangeAsync(admin, boss.Member.UserId, Roles.Ops, [Demo.Midtown]));
        var demoted = (await directory.FindAsync(boss.Member.UserId))!;
        Assert.False(demoted.IsAdmin);
        Assert.Equal([Demo.Midtown], demoted.StoreIds!);
        Assert.False(demoted.CanSee(Demo.Downtown));
        Assert.Equal([Demo.Midtown], (await WithServiceAsync(s => s.FindAsync(admin, boss.Member.UserId))).StoreIds);

        // Back to admin: every store again, and no store list left behind to mislead.
        await WithServiceAsync(s => s.ChangeAsync(admin, boss.Member.UserId, Roles.Admin, []));
        Assert.Null((await directory.FindAsync(boss.Member.UserId))!.StoreIds);
        Assert.Empty((await WithServiceAsync(s => s.FindAsync(admin, boss.Member.UserId))).StoreIds);
        await WithServiceAsync(s => s.ChangeAsync(admin, boss.Member.UserId, Roles.Ops, [Demo.Brooklyn])); // one admin again, as the other tests expect
    }

    [Fact]
    public async Task ALockedColleague_IsNoLongerStaff_AtOnce_AndUnlockedIsAgain()
    {
        var admin = await AdminAsync();
        var created = await TestStaff.InvitedAsync(app, NewEmail(), "Lou Locked", Roles.Ops, Demo.Midtown);
        await Inbox.AcceptInvitationAsync(app, created.Member.Email);
        var directory = app.Services.GetRequiredService<StaffDirectory>();
        Assert.NotNull(await directory.FindAsync(created.Member.UserId));

        await WithServiceAsync(s => s.LockAsync(admin, created.Member.UserId));
        Assert.Null(await directory.FindAsync(created.Member.UserId));
        using (var http = app.CreateClient())
            Assert.NotEqual(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/auth/login", new { email = created.Member.Email, password = Inbox.ColleaguePassword })).StatusCode);

        await WithServiceAsync(s => s.UnlockAsync(admin, created.Member.UserId));
        Assert.NotNull(await directory.FindAsync(created.Member.UserId));
        Assert.Equal(1, await AuditCountAsync(AuditActions.StaffLock, created.Member.Email));
        Assert.Equal(1, await AuditCountAsync(AuditActions.StaffUnlock, created.Member.Email));
        await Assert.ThrowsAsync<NotFoundException>(() => WithServiceAsync(s => s.LockAsync(admin, "no-such-user")));
    }
}

public sealed class SqliteStaffServiceTests(SqliteApp app) : StaffServiceTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresStaffServiceTests(PostgresApp app) : StaffServiceTests(app), IClassFixture<PostgresApp>;
