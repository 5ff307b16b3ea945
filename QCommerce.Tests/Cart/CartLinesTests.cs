using Bunit;
using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;
using QCommerce.Web.Components.Shared;
using QCommerce.Web.Components.Store.Cart;

namespace QCommerce.Tests.Cart;

public class CartLinesTests : ComponentTestContext
{
    private static Money Usd(long v) => new("USD", v);

    private static CartLineView Line(int sku, string title, int qty = 1, long price = 299, long? previous = null, int available = 40, string? problem = null) =>
        new(sku, sku, $"p-{sku}", title, "Brand", "1 L", null, qty, Usd(price), previous is { } p ? Usd(p) : null, new Availability(available, 5), problem);

    [Fact]
    public void ALineWhosePriceChanged_ShowsTheOldAndTheNewPrice()
    {
        var cut = Render<CartLines>(p => p.Add(x => x.Lines, [Line(1, "Whole Milk", price: 349, previous: 299), Line(2, "Eggs")]));
        var warning = Assert.Single(cut.FindAll("[data-testid=price-changed]"));
        Assert.Equal("Price changed from $2.99 to $3.49.", warning.TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=line-problem]"));
    }

    [Fact]
    public void ASoldOutLine_IsMarkedWithItsProblem()
    {
        var cut = Render<CartLines>(p => p.Add(x => x.Lines, [Line(1, "Whole Milk", available: 0, problem: "Sold out; remove it or come back later.")]));
        Assert.Equal("Sold out; remove it or come back later.", cut.Find("[data-testid=line-problem]").TextContent);
        Assert.Contains("has-problem", cut.Find("[data-testid=cart-line]").ClassName);
    }

    [Fact]
    public void ThePlusButton_StopsAtWhatIsAvailable_AndReportsTheNewQuantity()
    {
        (int, int)? changed = null;
        var cut = Render<CartLines>(p => p
            .Add(x => x.Lines, [Line(1, "Whole Milk", qty: 3, available: 3), Line(2, "Eggs", qty: 1)])
            .Add(x => x.OnQuantity, (Action<(int, int)>)(c => changed = c)));
        Assert.True(cut.Find("button[aria-label='One more Whole Milk']").HasAttribute("disabled"));
        cut.Find("button[aria-label='One more Eggs']").Click();
        Assert.Equal((2, 2), changed);
        cut.FindAll("button.remove")[0].Click();
        Assert.Equal((1, 0), changed);
    }

    [Fact]
    public void ReadOnly_ShowsQuantitiesWithoutButtons()
    {
        var cut = Render<CartLines>(p => p.Add(x => x.Lines, [Line(1, "Whole Milk", qty: 2)]).Add(x => x.ReadOnly, true));
        Assert.Empty(cut.FindAll("button"));
        Assert.Contains("× 2", cut.Markup);
    }
}

public class PriceSummaryTests : ComponentTestContext
{
    private static Money Usd(long v) => new("USD", v);

    [Fact]
    public void CheckoutTotals_ShowDiscountFreeDeliveryTaxAndTotal()
    {
        var price = OrderPricing.Calculate(Usd(4000), Usd(400), Usd(299), Usd(3500), 8.875m);
        var cut = Render<PriceSummary>(p => p.Add(x => x.Price, price).Add(x => x.CouponCode, "WELCOME10"));

        Assert.Equal("$40.00", cut.Find("[data-testid=subtotal]").TextContent.Trim());
        Assert.Equal("−$4.00", cut.Find("[data-testid=discount]").TextContent.Trim());
        Assert.Contains("WELCOME10", cut.Markup);
        Assert.Equal("Free", cut.Find("[data-testid=delivery-fee]").TextContent.Trim());
        Assert.Equal("$3.20", cut.Find("[data-testid=tax]").TextContent.Trim());   // 3600 × 8.875% = 319.5 → 320
        Assert.Equal("$39.20", cut.Find("[data-testid=total]").TextContent.Trim());
    }

    [Fact]
    public void BelowTheThreshold_ShowsTheFeeAndHowMuchMoreForFreeDelivery()
    {
        var price = OrderPricing.Calculate(Usd(1000), null, Usd(299), Usd(3500), 0m);
        var cut = Render<PriceSummary>(p => p.Add(x => x.Price, price).Add(x => x.AmountToFreeDelivery, Usd(2500)));
        Assert.Equal("$2.99", cut.Find("[data-testid=delivery-fee]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=discount]"));
        Assert.Contains("Add $25.00 more for free delivery.", cut.Find(".free-delivery-hint").TextContent);
    }
}
