using System.Text.Json;
using QCommerce.Web.Common;

namespace QCommerce.Tests.Common;

/// <summary>The typed ids of the API's edge: one parse per kind, used by routes, bodies and DTOs alike.</summary>
public class PublicIdsTests
{
    private sealed record Carrier(OrderId Order, SkuId Sku, SlotId? Slot);

    [Theory]
    [InlineData("o_12", 12)]
    [InlineData("o_1", 1)]
    [InlineData("o_2147483647", int.MaxValue)]
    public void AnOrderId_ParsesToItsNumber(string raw, int expected)
    {
        Assert.True(OrderId.TryParse(raw, out var id));
        Assert.Equal(expected, id.Value);
        Assert.Equal(raw, id.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("sku_12")]   // another kind
    [InlineData("O_12")]     // prefixes are exact
    [InlineData("o_0")]
    [InlineData("o_-1")]
    [InlineData("o_+1")]
    [InlineData("o_ 1")]
    [InlineData("o_1 ")]
    [InlineData("o_1x")]
    [InlineData("o_2147483648")] // past int
    [InlineData("o_١٢")]        // Arabic-Indic digits are digits to Unicode, not to us
    [InlineData("o_12\0")]      // int.TryParse forgives a trailing NUL; we do not
    [InlineData("o_01")]        // one spelling per order: no leading zero
    [InlineData("o_00000000001")]
    public void AnythingElse_IsNoOrderId(string? raw) => Assert.False(OrderId.TryParse(raw, out _));

    [Fact]
    public void EachKind_HasItsOwnPrefix()
    {
        Assert.Equal("st_3", StoreId.Of(3).ToString());
        Assert.Equal("cat_3", CategoryId.Of(3).ToString());
        Assert.Equal("p_3", ProductId.Of(3).ToString());
        Assert.Equal("sku_3", SkuId.Of(3).ToString());
        Assert.Equal("o_3", OrderId.Of(3).ToString());
        Assert.Equal("slot_3", SlotId.Of(3).ToString());
        Assert.Equal("pay_3", PaymentId.Of(3).ToString());
        Assert.Equal("rf_3", RefundId.Of(3).ToString());
        Assert.False(ProductId.TryParse("sku_3", out _));
        Assert.False(SkuId.TryParse("p_3", out _));
    }

    [Fact]
    public void OnTheWire_ATypedIdIsItsPrefixedString_BothWays()
    {
        var json = JsonSerializer.Serialize(new Carrier(OrderId.Of(int.MaxValue), SkuId.Of(7), null));
        Assert.Equal("""{"Order":"o_2147483647","Sku":"sku_7","Slot":null}""", json);
        Assert.Equal(new Carrier(OrderId.Of(5), SkuId.Of(6), SlotId.Of(7)),
            JsonSerializer.Deserialize<Carrier>("""{"Order":"o_5","Sku":"sku_6","Slot":"slot_7"}"""));
    }

    [Theory]
    [InlineData("""{"Order":5,"Sku":"sku_6","Slot":null}""")]
    [InlineData("""{"Order":"sku_5","Sku":"sku_6","Slot":null}""")]
    [InlineData("""{"Order":"o_5","Sku":"sku_x","Slot":null}""")]
    [InlineData("""{"Order":"o_5","Sku":"sku_6","Slot":"o_1"}""")]
    public void OnTheWire_AnotherShapeIsAJsonError(string json)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Carrier>(json));
        Assert.Contains("id", e.Message);
    }

    [Fact]
    public void InARequest_EveryBadIdIsItsFieldsProblem_AllAtOnce()
    {
        var problems = new ProblemList();
        Assert.Equal(3, problems.RequiredId<StoreId>("storeId", "st_3"));
        Assert.Null(problems.RequiredId<StoreId>("storeId2", "sku_3"));
        Assert.Null(problems.RequiredId<SkuId>("items[0].skuId", null));
        Assert.Null(problems.Id<SlotId>("deliverySlot", " "));
        Assert.Null(problems.Id<SlotId>("absent", null));
        Assert.Null(problems.QueryId<CategoryId>("categoryId", ""));

        var byField = problems.ToDictionary();
        Assert.Equal(["deliverySlot", "items[0].skuId", "storeId2"], byField.Keys.Order());
        Assert.Contains("store id", byField["storeId2"][0]);
        Assert.Contains("st_<number>", byField["storeId2"][0]);
    }
}
