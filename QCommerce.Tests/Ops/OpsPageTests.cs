using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Identity;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Web.Components.Ops.Fulfillment;
using QCommerce.Web.Components.Ops.Ordering;
using QCommerce.Web.Components.Ops.Payments;

namespace QCommerce.Tests.Ops;

/// <summary>
/// The ops pages as components (bUnit), over Core's real services and a SQLite database: the order page offers exactly
/// the actions its state allows, the pick list will not finish with a line unticked and takes a scanner's barcodes, the
/// refund dialog never offers more than is left, and the orders grid pages by keyset.
/// </summary>
public sealed class OpsPageTests : ComponentTestContext, IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private string _shopper = "";
    private int[] _skus = [];

    async Task IAsyncLifetime.InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(DatabaseProvider.Sqlite);
        Services.AddFallbackServiceProvider(_h.Services);
        var adminId = await _h.CreateAdminAsync("admin@qcommerce.test");
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@qcommerce.test");
        auth.SetRoles(Roles.Admin, Roles.Ops);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, adminId));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true)); // last: it builds the renderer, and with it the services
        _shopper = await _h.CreateUserAsync("shopper@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 2);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _h.DisposeAsync();
    }

    private async Task<int> CashOrderAsync(int firstQty = 2) =>
        (await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(_shopper, Demo.Downtown, [new(_skus[0], firstQty), new(_skus[1], 1)],
            Demo.DowntownAddress, null, null, PaymentMethod.CashOnDelivery), Guid.NewGuid().ToString())).Receipt.OrderId;

    private async Task<StaffActor> AdminAsync()
    {
        await using var db = _h.Database.CreateContext();
        var id = await db.Users.Where(u => u.Email == "admin@qcommerce.test").Select(u => u.Id).SingleAsync();
        return (await _h.Get<StaffDirectory>().FindAsync(id))!;
    }

    private static IEnumerable<string> Buttons<T>(IRenderedComponent<T> page) where T : IComponent =>
        page.Find("[data-testid=order-actions]").QuerySelectorAll("button, a").Select(b => b.TextContent.Trim());

    [Fact]
    public async Task TheOrderPage_OffersExactlyTheActionsItsStateAllows()
    {
        var id = await CashOrderAsync();
        var admin = await AdminAsync();
        async Task<IRenderedComponent<OrderDetailPage>> Page()
        {
            await DisposeComponentsAsync(); // one page at a time, as in the browser (each brings the shell's popover host)
            return Render<OrderDetailPage>(p => p.Add(x => x.OrderNumber, id));
        }

        var waiting = await Page();
        waiting.WaitForAssertion(() => Assert.Equal(["Confirm cash order", "Turn down…"], Buttons(waiting)));
        await _h.Get<StaffOrderService>().ConfirmCashOrderAsync(admin, id);
        var confirmed = await Page();
        confirmed.WaitForAssertion(() => Assert.Equal(["Start picking", "Cancel…"], Buttons(confirmed)));
        await _h.Get<FulfillmentService>().StartPickingAsync(admin, id);
        var picking = await Page();
        picking.WaitForAssertion(() => Assert.Equal(["Open the pick list", "Cancel…"], Buttons(picking)));
        await _h.Get<FulfillmentService>().FinishPickingAsync(admin, id, [new(_skus[0], 2), new(_skus[1], 1)]);
        var packed = await Page();
        packed.WaitForAssertion(() => Assert.Equal(["Out for delivery…", "Cancel…"], Buttons(packed)));
        await _h.Get<FulfillmentService>().DispatchAsync(admin, id, "Sam");
        var out_ = await Page();
        out_.WaitForAssertion(() => Assert.Equal(["Delivered…"], Buttons(out_)));
        await _h.Get<FulfillmentService>().DeliverAsync(admin, id, 100);
        var delivered = await Page();
        delivered.WaitForAssertion(() => Assert.Empty(Buttons(delivered)));
        Assert.Contains("Add note", delivered.Markup);
    }

    [Fact]
    public async Task ThePickList_WillNotFinishWithALineUnticked_AndTakesABarcodeScannerItsUnits()
    {
        var id = await CashOrderAsync(firstQty: 2);
        var admin = await AdminAsync();
        await _h.Get<StaffOrderService>().ConfirmCashOrderAsync(admin, id);
        await _h.Get<FulfillmentService>().StartPickingAsync(admin, id);
        string barcode;
        await using (var db = _h.Database.CreateContext())
            barcode = await db.Skus.Where(s => s.Id == _skus[0]).Select(s => s.Barcode).SingleAsync();

        var page = Render<PickListPage>(p => p.Add(x => x.OrderNumber, id));
        page.WaitForAssertion(() => Assert.Equal(2, page.FindAll("[data-testid=pick-line]").Count));
        Assert.True(page.Find("[data-testid=finish-pick]").HasAttribute("disabled"));

        page.Find("[data-testid=scan]").Input("0000000000000");
        page.Find("form.scan-form").Submit();
        // A scan is handled asynchronously (it may save the line): wait for the render it makes, on a busy machine too.
        page.WaitForAssertion(() => Assert.Contains("not on this order", page.Find("[data-testid=scan-message]").TextContent));
        page.Find("[data-testid=scan]").Input(barcode);
        page.Find("form.scan-form").Submit();
        page.WaitForAssertion(() => Assert.Contains("1 of 2", page.Find("[data-testid=scan-message]").TextContent));
        Assert.True(page.Find("[data-testid=finish-pick]").HasAttribute("disabled")); // the second line is not ticked

        page.FindAll($"[data-sku='{_skus[1]}'] [data-testid=pick-tick]")[0].Click();
        // The page's first live refresh may render in between: wait for the render the click makes.
        page.WaitForAssertion(() => Assert.False(page.Find("[data-testid=finish-pick]").HasAttribute("disabled")));
        page.WaitForAssertion(() => Assert.Contains("1 short", page.Markup));
    }

    [Fact]
    public async Task AnOpenOrderPage_OfAColleagueLockedMeanwhile_ShowsThemNothingMore_AndSendsThemToTheRefusal()
    {
        var id = await CashOrderAsync();
        var page = Render<OrderDetailPage>(p => p.Add(x => x.OrderNumber, id));
        page.WaitForAssertion(() => Assert.Contains($"o_{id}", page.Markup));
        await using (var db = _h.Database.CreateContext())
            await db.Users.Where(u => u.Email == "admin@qcommerce.test").ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, DateTimeOffset.MaxValue));

        // A colleague's note on the order: the open page hears of it, asks who is watching, and shows it to nobody locked.
        await _h.Get<StaffOrderService>().AddNoteAsync(TestStaff.Admin, id, "Secret of the store");
        _h.Get<QCommerce.Core.Common.ChangeFeed>().Publish([new ChangedRow("Orders", id, 1_000, [new Change("order", id)])]);

        page.WaitForAssertion(() => Assert.EndsWith("/account/access-denied", Services.GetRequiredService<NavigationManager>().Uri));
        Assert.DoesNotContain("Secret of the store", page.Markup);
    }

    [Fact]
    public async Task TheRefundDialog_NeverOffersMoreThanIsLeft_AndWantsAReason()
    {
        var id = await CashOrderAsync();
        var admin = await AdminAsync();
        var detail = (await _h.Get<OpsOrderQueries>().FindAsync(admin, id))!;
        // As if paid by card with 5.00 already refunded: 3.00 of what was captured is left, as the order's account says.
        var order = detail with { Account = detail.Account with { Captured = new Money("USD", 800), Refunded = new Money("USD", 500), Refundable = new Money("USD", 300) } };

        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        await provider.InvokeAsync(() => dialogs.ShowAsync<RefundDialog>("Refund", new DialogParameters<RefundDialog> { { d => d.Order, order }, { d => d.Staff, admin } }));

        provider.WaitForAssertion(() => Assert.Contains("$3.00", provider.Markup));
        Assert.True(provider.Find("[data-testid=refund-submit]").HasAttribute("disabled")); // nothing chosen yet
        provider.Find(".mud-switch input").Change(true);
        provider.Find("[data-testid=refund-amount]").Input("3.01");
        provider.WaitForAssertion(() => Assert.Contains("At most $3.00", provider.Find("[data-testid=refund-problem]").TextContent));
        provider.Find("[data-testid=refund-amount]").Input("2.50");
        provider.WaitForAssertion(() => Assert.Contains("Give a reason", provider.Find("[data-testid=refund-problem]").TextContent));
        provider.Find("[data-testid=refund-reason]").Input("Late");
        provider.WaitForAssertion(() => Assert.False(provider.Find("[data-testid=refund-submit]").HasAttribute("disabled")));
        Assert.Contains("$2.50", provider.Find("[data-testid=refund-total]").TextContent);
    }

    [Fact]
    public async Task TheOrdersGrid_PagesByKeyset_OlderAndBackToTheNewest()
    {
        await using (var db = _h.Database.CreateContext())
            await Core.Data.DemoData.SeedOrderHistoryAsync(db, 60, _ => 8.875m, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        var grid = Render<OrdersPage>();
        grid.WaitForAssertion(() => Assert.Equal(50, grid.FindAll("[data-testid=order-link]").Count));
        var newest = grid.FindAll("[data-testid=order-link]").Select(a => a.TextContent).ToList();
        grid.Find("[data-testid=next-page]").Click();
        grid.WaitForAssertion(() => Assert.Equal(10, grid.FindAll("[data-testid=order-link]").Count));
        Assert.Empty(grid.FindAll("[data-testid=order-link]").Select(a => a.TextContent).Intersect(newest));
        Assert.True(grid.Find("[data-testid=next-page]").HasAttribute("disabled"));
        grid.FindAll("button").First(b => b.TextContent.Contains("Newer")).Click();
        grid.WaitForAssertion(() => Assert.Equal(newest, grid.FindAll("[data-testid=order-link]").Select(a => a.TextContent)));
    }
}
