using Bunit;
using QCommerce.Core.Stores;
using QCommerce.Web.Components.Store.Stores;

namespace QCommerce.Tests.Stores;

public class StorePickerTests : ComponentTestContext
{
    private static StoreSummary Store(int id, string name, int eta, params string[] zips) => new(
        id, name, 1, "metro-north", "Metro North", "USD", new StoreAddress("1 Main St", "New York", zips[0]), zips,
        new Money("USD", 299), new Money("USD", 3500), eta, new OpeningHours(new(7, 0), new(23, 0), "America/New_York"));

    [Fact]
    public void FirstVisit_ShowsOnlyTheZipForm()
    {
        var picker = Render<StorePicker>();
        Assert.NotNull(picker.Find("input#zip"));
        Assert.Empty(picker.FindAll("[data-testid=store-option]"));
        Assert.Empty(picker.FindAll("[role=alert]"));
    }

    [Fact]
    public void ZipWithStores_ListsEachWithAShopHereButton()
    {
        var picker = Render<StorePicker>(p => p
            .Add(x => x.Zip, "10001").Add(x => x.Searched, true).Add(x => x.ReturnUrl, "/c/bakery")
            .Add(x => x.Matches, [Store(2, "Midtown", 12, "10001"), Store(1, "Downtown", 15, "10001")])
            .Add(x => x.Promises, new Dictionary<int, QCommerce.Core.Ordering.AsapPromise> { [2] = new(DateTime.UtcNow.AddMinutes(16), 16, null) }));
        var options = picker.FindAll("[data-testid=store-option]");
        Assert.Equal(2, options.Count);
        Assert.Contains("Midtown", options[0].TextContent);
        Assert.Contains("16 min", options[0].TextContent); // the promise of the moment, queue included, as the header will say
        Assert.Contains("15 min", options[1].TextContent); // a store without one yet: its base time
        Assert.Equal("2", options[0].QuerySelector("input[name=storeId]")!.GetAttribute("value"));
        Assert.Equal("/c/bakery", options[0].QuerySelector("input[name=returnUrl]")!.GetAttribute("value"));
        Assert.Equal("post", options[0].QuerySelector("form")!.GetAttribute("method"));
    }

    [Fact]
    public void UnservedZip_SaysSoAndOffersAWayOut()
    {
        var picker = Render<StorePicker>(p => p
            .Add(x => x.Zip, "99999").Add(x => x.Searched, true)
            .Add(x => x.AllStores, [Store(1, "Downtown", 15, "10001", "10002")]));
        var message = picker.Find("[data-testid=no-store]");
        Assert.Contains("We don't deliver to 99999 yet", message.TextContent);
        Assert.Contains("10001, 10002", message.TextContent);
        Assert.Equal("/", message.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal("99999", picker.Find("input#zip").GetAttribute("value"));
    }

    [Fact]
    public void MalformedZip_IsExplained()
    {
        var picker = Render<StorePicker>(p => p.Add(x => x.Zip, "!!").Add(x => x.Searched, true).Add(x => x.IsValidZip, false));
        Assert.Contains("doesn't look like a zip code", picker.Find("[role=alert]").TextContent);
        Assert.Empty(picker.FindAll("[data-testid=store-option]"));
    }
}
