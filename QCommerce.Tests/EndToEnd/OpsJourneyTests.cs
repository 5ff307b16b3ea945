using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QCommerce.Core.Identity;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// The ops portal in Chromium, as a dark store's staff use it: the board, the pick list (scanned and short), out for
/// delivery and delivered, while the shopper's order page follows each step by itself; refunds from the order page; a
/// cash order delivered with its cash; store scopes; no ops page for shoppers; axe on each page; the picker's phone.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OpsJourneyTests(BrowserFixture browser)
{
    private const string Succeeds = "4242 4242 4242 4242";

    private static int Number(string orderId) => int.Parse(orderId["o_".Length..], CultureInfo.InvariantCulture);

    private static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    /// <summary>An ops page in a browser signed in as the admin (the sign-in page comes first, then the page asked for).</summary>
    private async Task<IPage> OpsAsync(string path, bool phone = false)
    {
        var page = await browser.NewPageAsync(phone);
        await page.GotoAsync(path);
        await SignInAsync(page, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>A card order paid through the sandbox, and its shopper's order page open in a browser of their own.</summary>
    private async Task<(IPage Shopper, string OrderId, int[] Skus)> PaidOrderWatchedByItsShopperAsync(int skuOffset)
    {
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: skuOffset);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(browser.App, started.GetProperty("nextAction").GetProperty("url").GetString()!, Succeeds);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"/orders/{Number(orderId)}");
        await SignInAsync(page, shopper.Email, "Groceries-2026");
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("order-status").First).ToHaveTextAsync("Paid");
        return (page, orderId, skus);
    }

    /// <summary>
    /// After a click that navigates: the new page's address first, then its circuit. (The page left behind was
    /// interactive too: waiting for "interactive" alone could match it and click into a page not yet wired.)
    /// </summary>
    private static async Task ArrivedAsync(IPage page, string pathPattern)
    {
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(pathPattern));
        // Something only the new page has (the pick list's lines, the order page's timeline), so the DOM is the new page's...
        await Expect(page.GetByTestId(pathPattern.Contains("/pick") ? "pick-lines" : "ops-timeline")).ToBeVisibleAsync();
        // ...and then its own circuit: prerendered it says data-interactive=false until it connects.
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
    }

    private async Task<string> BarcodeAsync(int skuId)
    {
        await using var db = browser.App.Database.CreateContext();
        return await db.Skus.Where(s => s.Id == skuId).Select(s => s.Barcode).SingleAsync();
    }

    [Fact]
    public async Task APaidOrder_IsPickedWithAShortLine_SentOut_AndDelivered_WhileItsShopperWatches()
    {
        var (shopper, orderId, skus) = await PaidOrderWatchedByItsShopperAsync(skuOffset: 130);
        var ops = await OpsAsync("/ops/fulfilment?store=st_2");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "fulfilment board");

        var card = ops.Locator($"[data-column=ToPick] [data-order={orderId}]");
        await Expect(card).ToBeVisibleAsync();
        await browser.ScreenshotAsync(ops, "ops-board");
        await card.GetByTestId("board-start").ClickAsync();
        await ArrivedAsync(ops, $"/ops/fulfilment/{Number(orderId)}/pick$");
        await Expect(ops.GetByRole(AriaRole.Heading, new() { Name = $"Pick {orderId}" })).ToBeVisibleAsync();
        await Expect(shopper.GetByTestId("order-status").First).ToHaveTextAsync("Being picked", new() { Timeout = 2_000 });

        // Two of the first SKU ordered, one on the shelf: scanned once. The second scanned once, in full.
        var scan = ops.GetByTestId("scan");
        await scan.FillAsync(await BarcodeAsync(skus[0]));
        await scan.PressAsync("Enter");
        await Expect(ops.GetByTestId("scan-message")).ToContainTextAsync("1 of 2");
        await scan.FillAsync("0000000000000");
        await scan.PressAsync("Enter");
        await Expect(ops.GetByTestId("scan-message")).ToContainTextAsync("not on this order");
        await Expect(ops.GetByTestId("finish-pick")).ToBeDisabledAsync(); // a line is still unticked
        await scan.FillAsync(await BarcodeAsync(skus[1]));
        await scan.PressAsync("Enter");
        await browser.ScreenshotAsync(ops, "ops-pick-list");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "pick list");
        await ops.GetByTestId("finish-pick").ClickAsync();
        await ops.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Finish picking" }).ClickAsync(); // "finish with items short?"
        await ArrivedAsync(ops, $"/ops/orders/{Number(orderId)}$"); // on to the order

        // The shopper sees what was short and, once the PSP has taken it, what was charged and released, without reloading.
        await Expect(shopper.GetByTestId("line-short")).ToContainTextAsync("1 of 2 not in stock");
        await Expect(shopper.GetByTestId("timeline")).ToContainTextAsync("Not in stock after all");
        await Expect(shopper.GetByTestId("timeline")).ToContainTextAsync("Charged", new() { Timeout = 10_000 });
        await Expect(shopper.GetByTestId("payment-status")).ToContainTextAsync("of the hold went back to your card");
        await Expect(shopper.GetByTestId("timeline")).Not.ToContainTextAsync("Refund");
        await browser.ScreenshotAsync(shopper, "order-charged-and-released");
        await Expect(ops.GetByTestId("money-released")).ToBeVisibleAsync(new() { Timeout = 5_000 });

        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "order detail");
        await browser.ScreenshotAsync(ops, "ops-order-detail");
        await ops.GetByTestId("dispatch").ClickAsync();
        await ops.GetByTestId("rider-name").FillAsync("Sam Rider");
        await ops.GetByTestId("ask-submit").ClickAsync();
        await Expect(shopper.GetByTestId("order-status").First).ToHaveTextAsync("On its way", new() { Timeout = 2_000 });

        await ops.GotoAsync("/ops/fulfilment?store=st_2");
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await ops.Locator($"[data-column=OutForDelivery] [data-order={orderId}]").GetByTestId("board-deliver").ClickAsync();
        await ArrivedAsync(ops, $"/ops/orders/{Number(orderId)}$");
        await ops.GetByTestId("deliver").ClickAsync();
        await Expect(shopper.GetByTestId("order-status").First).ToHaveTextAsync("Delivered", new() { Timeout = 2_000 });
        await ops.GotoAsync("/ops/fulfilment?store=st_2");
        await Expect(ops.Locator($"[data-column=DeliveredToday] [data-order={orderId}]")).ToBeVisibleAsync();
        await shopper.Context.CloseAsync();
        await ops.Context.CloseAsync();
    }

    [Fact]
    public async Task APickList_ReloadedMidPick_KeepsItsTicks_ASecondDeviceSeesThem_AndTheOrderShowsWhatTheCardHeldAndWasCharged()
    {
        var (shopper, orderId, skus) = await PaidOrderWatchedByItsShopperAsync(skuOffset: 134);
        await shopper.Context.CloseAsync();
        var id = Number(orderId);
        await browser.App.Services.GetRequiredService<Core.Fulfillment.FulfillmentService>().StartPickingAsync(TestStaff.Admin, id);

        var phone = await OpsAsync($"/ops/fulfilment/{id}/pick", phone: true);
        var desk = await OpsAsync($"/ops/fulfilment/{id}/pick");
        var lineA = phone.Locator($"[data-testid=pick-line][data-sku='{skus[0]}']");

        var scan = phone.GetByTestId("scan");
        await scan.FillAsync(await BarcodeAsync(skus[0]));
        await scan.PressAsync("Enter");
        await Expect(lineA.GetByTestId("pick-count")).ToHaveTextAsync("1 of 2");
        await Expect(phone.GetByTestId("pick-saved")).Not.ToContainTextAsync("Saving");
        // The other device follows without a reload; the phone that locked and reloaded still has its tick.
        await Expect(desk.Locator($"[data-testid=pick-line][data-sku='{skus[0]}']").GetByTestId("pick-count")).ToHaveTextAsync("1 of 2", new() { Timeout = 3_000 });
        await phone.ReloadAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(phone);
        await Expect(lineA.GetByTestId("pick-count")).ToHaveTextAsync("1 of 2");
        await browser.ScreenshotAsync(phone, "ops-pick-list-reloaded-phone");
        await Accessibility.AssertNoSeriousViolationsAsync(phone, "pick list");

        await lineA.GetByTestId("pick-tick").ClickAsync();
        await Expect(lineA.GetByTestId("pick-count")).ToHaveTextAsync("2 of 2");
        await phone.Locator($"[data-testid=pick-line][data-sku='{skus[1]}']").GetByTestId("pick-tick").ClickAsync();
        await Expect(phone.GetByTestId("finish-pick")).ToBeEnabledAsync();
        await phone.GetByTestId("finish-pick").ClickAsync();
        await ArrivedAsync(phone, $"/ops/orders/{id}$");
        await Expect(phone.GetByTestId("money-held")).ToBeVisibleAsync();
        await Expect(phone.GetByTestId("money-captured")).ToBeVisibleAsync(new() { Timeout = 5_000 }); // the capture's news, live
        await Expect(phone.GetByTestId("dispatch")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(phone, "ops-order-money-phone");

        await using var db = browser.App.Database.CreateContext();
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id);
        Assert.Equal((Core.Ordering.CardHold.Captured, order.HeldMinor, 0L), (order.Hold, order.CapturedMinor, order.RefundedMinor)); // all picked: all of the hold taken
        await phone.Context.CloseAsync();
        await desk.Context.CloseAsync();
    }

    [Fact]
    public async Task TwoDevicesTickingOnePickList_AtOnce_BothEndWithBothTicks()
    {
        var (shopper, orderId, skus) = await PaidOrderWatchedByItsShopperAsync(skuOffset: 136);
        await shopper.Context.CloseAsync();
        var id = Number(orderId);
        await browser.App.Services.GetRequiredService<Core.Fulfillment.FulfillmentService>().StartPickingAsync(TestStaff.Admin, id);
        var phone = await OpsAsync($"/ops/fulfilment/{id}/pick", phone: true);
        var desk = await OpsAsync($"/ops/fulfilment/{id}/pick");
        ILocator Line(IPage page, int sku) => page.Locator($"[data-testid=pick-line][data-sku='{sku}']");

        await Task.WhenAll(Line(phone, skus[0]).GetByTestId("pick-tick").ClickAsync(), Line(desk, skus[1]).GetByTestId("pick-tick").ClickAsync());

        foreach (var page in new[] { phone, desk })
        {
            await Expect(Line(page, skus[0]).GetByTestId("pick-count")).ToHaveTextAsync("2 of 2", new() { Timeout = 5_000 });
            await Expect(Line(page, skus[1]).GetByTestId("pick-count")).ToHaveTextAsync("1 of 1", new() { Timeout = 5_000 });
        }

        await phone.GetByTestId("finish-pick").ClickAsync();
        await ArrivedAsync(phone, $"/ops/orders/{id}$");
        await phone.Context.CloseAsync();
        await desk.Context.CloseAsync();
    }

    [Fact]
    public async Task APartialRefund_FromTheOrderPage_ShowsItsAmountFirst_AndLandsAtThePsp()
    {
        var (shopper, orderId, skus) = await PaidOrderWatchedByItsShopperAsync(skuOffset: 132);
        await Fulfillment.FulfillmentServiceTests.PickAndChargeAsync(browser.App, Number(orderId)); // refunds come after the card is charged
        var ops = await OpsAsync($"/ops/orders/{Number(orderId)}");

        await ops.GetByTestId("refund").ClickAsync();
        var dialog = ops.GetByTestId("refund-dialog");
        await Expect(ops.GetByTestId("refund-submit")).ToBeDisabledAsync();
        await ops.GetByTestId($"refund-qty-{skus[1]}").FillAsync("1");
        await ops.GetByTestId($"refund-qty-{skus[1]}").BlurAsync();
        await Expect(ops.GetByTestId("refund-total")).Not.ToHaveTextAsync("$0.00");
        await ops.GetByTestId("refund-reason").FillAsync("Bruised");
        await browser.ScreenshotAsync(ops, "ops-refund-dialog");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "refund dialog");
        var amount = await ops.GetByTestId("refund-total").InnerTextAsync();
        await ops.GetByTestId("refund-submit").ClickAsync();

        await Expect(ops.GetByText("Refund asked of the payment provider")).ToBeVisibleAsync();
        await Expect(ops.GetByTestId("refunds")).ToContainTextAsync(amount);
        await Expect(ops.GetByTestId("refunds")).ToContainTextAsync("Succeeded", new() { Timeout = 10_000 });
        await Expect(shopper.GetByTestId("timeline")).ToContainTextAsync($"Refunding {amount}", new() { Timeout = 2_000 });

        // The payment's own page: its attempts, its refunds, the PSP's events.
        await ops.GetByRole(AriaRole.Link, new() { Name = "The payment's own page" }).ClickAsync();
        await Expect(ops).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ops/payments/\\d+$"));
        await Expect(ops.GetByTestId("refunds")).ToContainTextAsync(amount);
        await Expect(ops.GetByText("payment_intent.succeeded").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync(ops, "ops-payment-detail");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "payment detail");
        await shopper.Context.CloseAsync();
        await ops.Context.CloseAsync();
    }

    [Fact]
    public async Task ACashOrder_IsConfirmedPickedAndDelivered_WithTheCashCollected_OnAPhone()
    {
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 134);
        var ops = await OpsAsync($"/ops/orders/{Number(orderId)}", phone: true);

        await ops.GetByRole(AriaRole.Button, new() { Name = "Confirm cash order" }).ClickAsync();
        await ops.GetByTestId("start-picking").ClickAsync();
        await ops.GetByTestId("open-pick-list").ClickAsync();
        await ArrivedAsync(ops, $"/ops/fulfilment/{Number(orderId)}/pick$");
        foreach (var tick in await ops.GetByTestId("pick-tick").AllAsync()) await tick.ClickAsync();
        await browser.ScreenshotAsync(ops, "ops-pick-list-phone");
        await AssertNoSidewaysScrollAsync(ops);
        await ops.GetByTestId("finish-pick").ClickAsync();
        await ArrivedAsync(ops, $"/ops/orders/{Number(orderId)}$"); // on to the order
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await ops.GetByTestId("dispatch").ClickAsync();
        await ops.GetByTestId("rider-name").FillAsync("Ana Rider");
        await ops.GetByTestId("ask-submit").ClickAsync();
        await ops.GetByTestId("deliver").ClickAsync();
        var due = (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64();
        await ops.GetByTestId("cash-collected").FillAsync((due / 100m).ToString("0.00", CultureInfo.InvariantCulture));
        await ops.GetByTestId("ask-submit").ClickAsync();

        await Expect(ops.GetByTestId("order-status").First).ToHaveTextAsync("Delivered");
        await Expect(ops.GetByTestId("ops-timeline")).ToContainTextAsync("collected in cash");
        await browser.ScreenshotAsync(ops, "ops-order-detail-phone");
        await AssertNoSidewaysScrollAsync(ops);
        await ops.Context.CloseAsync();
    }

    [Fact]
    public async Task TheBoardOnAPhone_StacksItsColumns_WithoutSidewaysScrolling()
    {
        var ops = await OpsAsync("/ops/fulfilment?store=st_2", phone: true);
        await Expect(ops.GetByTestId("board")).ToBeVisibleAsync();
        await AssertNoSidewaysScrollAsync(ops);
        await browser.ScreenshotAsync(ops, "ops-board-phone");
        await ops.Context.CloseAsync();
    }

    [Fact]
    public async Task EveryOpsPage_PassesAxe_AndTheOrdersGridFiltersThroughTheUrl()
    {
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 136);
        var ops = await OpsAsync("/ops");
        await Expect(ops.GetByTestId("kpis")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(ops, "ops-dashboard");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "dashboard");

        await ops.GotoAsync($"/ops/orders?q={Uri.EscapeDataString(shopper.Email)}");
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await Expect(ops.GetByTestId("orders-grid")).ToContainTextAsync(orderId);
        await Expect(ops.GetByTestId("order-search")).ToHaveValueAsync(shopper.Email);
        await browser.ScreenshotAsync(ops, "ops-orders");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "orders");
        await ops.GotoAsync($"/ops/orders?q={Uri.EscapeDataString(shopper.Email)}&state=paid");
        await Expect(ops.GetByText("No orders match")).ToBeVisibleAsync();

        foreach (var (path, name) in new[] { ("/ops/cash-orders", "cash orders"), ($"/ops/orders/{Number(orderId)}", "cash order detail") })
        {
            await ops.GotoAsync(path);
            await CheckoutJourneyTests.WaitInteractiveAsync(ops);
            await Accessibility.AssertNoSeriousViolationsAsync(ops, name);
        }
        await ops.Context.CloseAsync();
    }

    [Fact]
    public async Task AColleagueOfAnotherStore_FindsNoSuchOrder_AndAShopperGetsNoOpsPage()
    {
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 138);
        var downtown = await TestStaff.InvitedAsync(browser.App, $"downtown-{Guid.NewGuid():N}@qcommerce.test", "Dee Downtown", Roles.Ops, Demo.Downtown);
        await Inbox.AcceptInvitationAsync(browser.App, downtown.Member.Email);

        var colleague = await browser.NewPageAsync();
        await colleague.GotoAsync($"/ops/orders/{Number(orderId)}");
        await SignInAsync(colleague, downtown.Member.Email, Inbox.ColleaguePassword);
        await Expect(colleague.GetByRole(AriaRole.Heading, new() { Name = "No such order" })).ToBeVisibleAsync();
        await colleague.GotoAsync("/ops/orders");
        await CheckoutJourneyTests.WaitInteractiveAsync(colleague);
        await Expect(colleague.GetByTestId("orders-grid").Or(colleague.GetByText("No orders match"))).ToBeVisibleAsync();
        await Expect(colleague.GetByText(orderId, new() { Exact = true })).ToHaveCountAsync(0);
        await colleague.Context.CloseAsync();

        var page = await browser.NewPageAsync();
        await page.GotoAsync("/ops");
        await SignInAsync(page, shopper.Email, "Groceries-2026");
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/account/access-denied"));
        await Expect(page.GetByTestId("kpis")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ANewOpsUser_OfTheDemoShop_SeesALivingDashboard_AndFindsTheirActionsInTheAuditLog()
    {
        // Its own app: the demo shop as `dotnet run` makes it, order history included.
        await using var demo = new QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Database:DemoOrders"] = "600" });
        await demo.InitializeAsync();
        var context = await browser.Browser.NewContextAsync(new() { BaseURL = demo.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new() { Width = 1280, Height = 900 } });
        var ops = await context.NewPageAsync();
        await ops.GotoAsync("/ops");
        await SignInAsync(ops, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        Assert.True(int.Parse(await ops.GetByTestId("kpi-orders").InnerTextAsync(), CultureInfo.InvariantCulture) > 0, "orders today on the dashboard");
        await Expect(ops.GetByTestId("stuck").Locator("li")).Not.ToHaveCountAsync(0);
        await Expect(ops.Locator(".charts svg").First).ToBeVisibleAsync();
        await browser.ScreenshotAsync(ops, "ops-dashboard-demo");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "dashboard with history");

        // Take the first stuck order and note on it; the note is in the audit log.
        var stuck = await ops.GetByTestId("stuck").Locator("a").First.GetAttributeAsync("href");
        await ops.GetByTestId("stuck").Locator("a").First.ClickAsync();
        await ArrivedAsync(ops, System.Text.RegularExpressions.Regex.Escape(stuck!) + "$");
        await ops.GetByTestId("note").FillAsync("Looked at it from the dashboard");
        await ops.GetByTestId("add-note").ClickAsync();
        await Expect(ops.GetByTestId("ops-timeline")).ToContainTextAsync("Looked at it from the dashboard");
        await ops.GotoAsync("/ops/audit");
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await Expect(ops.GetByTestId("audit-table")).ToContainTextAsync("order.note");
        await browser.ScreenshotAsync(ops, "ops-audit");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "audit");

        foreach (var (path, name) in new[] { ("/ops/orders", "orders with history"), ("/ops/payments", "payments"), ("/ops/outbox", "outbox"), ("/ops/staff", "staff") })
        {
            await ops.GotoAsync(path);
            await CheckoutJourneyTests.WaitInteractiveAsync(ops);
            await browser.ScreenshotAsync(ops, "ops-" + name.Replace(' ', '-'));
            await Accessibility.AssertNoSeriousViolationsAsync(ops, name);
        }
        await Expect(ops.GetByTestId("staff-table")).ToContainTextAsync(QCommerceApp.AdminEmail);
        await context.CloseAsync();
    }

    [Fact]
    public async Task AnAdmin_InvitesAStoreScopedColleague_WhoChoosesAPasswordFromTheEmail_AndSignsIn()
    {
        var ops = await OpsAsync("/ops/staff");
        var email = $"mo-{Guid.NewGuid():N}@qcommerce.test";
        await ops.GetByTestId("staff-email").FillAsync(email);
        await ops.GetByTestId("staff-name").FillAsync("Mo Midtown");
        await ops.GetByTestId("staff-stores").ClickAsync();
        await ops.GetByRole(AriaRole.Option, new() { Name = "Midtown" }).ClickAsync();
        await ops.Keyboard.PressAsync("Escape");
        await ops.GetByTestId("staff-create").ClickAsync();
        await Expect(ops.GetByTestId("staff-invited")).ToContainTextAsync(email);
        await Expect(ops.GetByTestId("staff-table")).ToContainTextAsync("Midtown");
        await browser.ScreenshotAsync(ops, "ops-staff-created");

        // The colleague opens the link in their invitation and chooses a password; nobody else ever saw one.
        var invitation = Inbox.LinkIn(await Inbox.AwaitAsync(browser.App, email, Core.Messages.MailKind.StaffInvitation));
        var colleague = await browser.NewPageAsync();
        await colleague.GotoAsync(invitation.PathAndQuery);
        await Expect(colleague.GetByRole(AriaRole.Heading, new() { Name = "Choose your password" })).ToBeVisibleAsync();
        await colleague.GetByLabel("New password").FillAsync("Mo-Passw0rd-2026");
        await colleague.GetByLabel("Confirm password").FillAsync("Mo-Passw0rd-2026");
        await colleague.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(colleague.GetByTestId("password-set")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(colleague, "staff-invitation-accepted");
        await colleague.GotoAsync("/ops");
        await SignInAsync(colleague, email, "Mo-Passw0rd-2026");
        await CheckoutJourneyTests.WaitInteractiveAsync(colleague);
        await Expect(colleague.GetByText("Ops · Midtown")).ToBeVisibleAsync();
        await Expect(colleague.GetByRole(AriaRole.Link, new() { Name = "Staff" })).ToHaveCountAsync(0);
        await colleague.Context.CloseAsync();

        // Their stores change in place: Downtown too.
        var row = ops.GetByTestId("staff-table").Locator("tr", new() { HasText = email });
        await row.GetByTestId("staff-row-stores").ClickAsync();
        await ops.GetByRole(AriaRole.Option, new() { Name = "Downtown" }).ClickAsync();
        await ops.Keyboard.PressAsync("Escape");
        await Expect(ops.GetByText($"{email} now works for Downtown, Midtown.")).ToBeVisibleAsync();

        // Made admin, then Ops again: the change asks which stores, and cannot be made without one.
        await row.GetByTestId("staff-row-role").ClickAsync();
        await ops.GetByRole(AriaRole.Option, new() { Name = "Admin" }).ClickAsync();
        await Expect(ops.GetByText($"{email} is now Admin.")).ToBeVisibleAsync();
        await row.GetByTestId("staff-row-role").ClickAsync();
        await ops.GetByRole(AriaRole.Option, new() { Name = "Ops", Exact = true }).ClickAsync();
        var dialog = ops.GetByRole(AriaRole.Dialog);
        await Expect(dialog.GetByTestId("prompt-confirm")).ToBeDisabledAsync();
        await dialog.GetByRole(AriaRole.Checkbox, new() { Name = "Brooklyn Heights" }).CheckAsync();
        await Expect(dialog.GetByTestId("prompt-confirm")).ToBeEnabledAsync();
        await browser.ScreenshotAsync(ops, "ops-staff-make-ops");
        await dialog.GetByTestId("prompt-confirm").ClickAsync();
        await Expect(ops.GetByText($"{email} is now Ops for Brooklyn Heights.")).ToBeVisibleAsync();
        await Expect(row.GetByRole(AriaRole.Cell, new() { Name = "Brooklyn Heights" })).ToBeVisibleAsync();
        await ops.Context.CloseAsync();
    }

    private static async Task AssertNoSidewaysScrollAsync(IPage page)
    {
        var (scroll, client) = (await page.EvaluateAsync<int>("document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("document.documentElement.clientWidth"));
        Assert.True(scroll <= client + 1, $"the page scrolls sideways: {scroll} px wide in a {client} px window");
    }
}
