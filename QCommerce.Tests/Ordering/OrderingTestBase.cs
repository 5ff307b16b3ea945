using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>What the ordering use cases' tests share: the services over a fresh seeded database of one provider, two shoppers, four stocked SKUs.</summary>
public abstract class OrderingTestBase(DatabaseProvider provider) : IAsyncLifetime
{
    protected ServiceHarness Harness { get; private set; } = null!;
    protected CheckoutService Checkout { get; private set; } = null!;
    protected OrderService Orders { get; private set; } = null!;
    protected string Ana { get; private set; } = "";
    protected string Ben { get; private set; } = "";
    protected int[] Skus { get; private set; } = [];

    public async Task InitializeAsync()
    {
        Harness = await ServiceHarness.CreateAsync(provider);
        Checkout = Harness.Get<CheckoutService>();
        Orders = Harness.Get<OrderService>();
        Ana = await Harness.CreateUserAsync("ana@example.com");
        Ben = await Harness.CreateUserAsync("ben@example.com");
        Skus = await Demo.SkusAsync(Harness.Database, 4);
        foreach (var sku in Skus) await Harness.SetStockAsync(Demo.Downtown, sku, 50);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    protected PlaceOrderCommand Command(string? user = null, IReadOnlyList<OrderItemInput>? items = null, int? slot = null, string? coupon = null,
        PaymentMethod method = PaymentMethod.CashOnDelivery, int store = Demo.Downtown, OrderAddressInput? address = null) =>
        new(user ?? Ana, store, items ?? [new(Skus[0], 2), new(Skus[1], 1)], address ?? Demo.DowntownAddress, slot, coupon, method);

    protected Task<PlaceOrderResult> PlaceAsync(PlaceOrderCommand command, string? key = null) =>
        Checkout.PlaceOrderAsync(command, key ?? Guid.NewGuid().ToString());
}
