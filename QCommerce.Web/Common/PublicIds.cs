using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>
/// A prefixed id as the API speaks it (<c>o_12</c>, <c>sku_7</c>), one struct per kind: a route takes an
/// <see cref="OrderId"/> and its handler receives a number; a SKU id where an order id belongs never binds; a DTO writes
/// the prefix by the type of its field. The one parse is <see cref="PublicIds.TryParse{T}"/>, used by the route
/// constraints, the JSON converter and <see cref="RequestProblems"/> alike.
/// </summary>
public interface IPublicId<TSelf> where TSelf : struct, IPublicId<TSelf>
{
    static abstract string Prefix { get; }

    /// <summary>What the kind is called in a message: "store", "SKU".</summary>
    static abstract string Noun { get; }

    static abstract TSelf Of(int value);

    int Value { get; }
}

public static class PublicIds
{
    public static bool TryParse<T>(string? raw, out T id) where T : struct, IPublicId<T>
    {
        var parsed = PublicId.TryParse(T.Prefix, raw, out var value);
        id = parsed ? T.Of(value) : default;
        return parsed;
    }

    public static string Format<T>(T id) where T : struct, IPublicId<T> => PublicId.Format(T.Prefix, id.Value);

    /// <summary>A typed id is a string on the wire, and the API's document says so, with its shape.</summary>
    public static Task DescribeInSchema(Microsoft.OpenApi.OpenApiSchema schema, Microsoft.AspNetCore.OpenApi.OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        var nullable = Nullable.GetUnderlyingType(context.JsonTypeInfo.Type);
        var type = nullable ?? context.JsonTypeInfo.Type;
        var kind = type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IPublicId<>));
        if (kind is null) return Task.CompletedTask;
        var prefix = (string)type.GetProperty(nameof(IPublicId<StoreId>.Prefix))!.GetValue(null)!;
        schema.Type = nullable is null ? Microsoft.OpenApi.JsonSchemaType.String : Microsoft.OpenApi.JsonSchemaType.String | Microsoft.OpenApi.JsonSchemaType.Null;
        schema.Pattern = $"^{prefix}[0-9]+$";
        schema.Properties?.Clear();
        schema.Required?.Clear();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Route constraints by kind (<c>/orders/{orderId:order}</c>): a route value of another shape matches no route, so
    /// <c>/v1/orders/not-an-id</c> is the same 404 problem as an order that does not exist, before any handler runs.
    /// </summary>
    public static RouteOptions AddPublicIdConstraints(this RouteOptions routes)
    {
        routes.SetParameterPolicy<PublicIdConstraint<StoreId>>("store");
        routes.SetParameterPolicy<PublicIdConstraint<ProductId>>("product");
        routes.SetParameterPolicy<PublicIdConstraint<OrderId>>("order");
        routes.SetParameterPolicy<PublicIdConstraint<PaymentId>>("payment");
        routes.SetParameterPolicy<PublicIdConstraint<SkuId>>("sku");
        routes.SetParameterPolicy<PublicIdConstraint<CategoryId>>("category");
        routes.SetParameterPolicy<PublicIdConstraint<PriceId>>("price");
        routes.SetParameterPolicy<PublicIdConstraint<WebhookId>>("webhook");
        return routes;
    }
}

/// <summary>Matches a route value that parses as a <typeparamref name="T"/>.</summary>
public sealed class PublicIdConstraint<T> : IRouteConstraint where T : struct, IPublicId<T>
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && PublicIds.TryParse<T>(Convert.ToString(value, CultureInfo.InvariantCulture), out _);
}

/// <summary>Writes and reads a typed id as its prefixed string; anything else in a body is a JSON error, as a wrong type is.</summary>
public sealed class PublicIdJsonConverter<T> : JsonConverter<T> where T : struct, IPublicId<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && PublicIds.TryParse<T>(reader.GetString(), out var id)
            ? id
            : throw new JsonException($"Expected a {T.Noun} id: \"{T.Prefix}<number>\".");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        // The id as "o_" and digits, written without a string in between: DTOs of a catalog page carry many.
        Span<char> text = stackalloc char[T.Prefix.Length + 11];
        T.Prefix.CopyTo(text);
        value.Value.TryFormat(text[T.Prefix.Length..], out var digits, default, CultureInfo.InvariantCulture);
        writer.WriteStringValue(text[..(T.Prefix.Length + digits)]);
    }
}

[JsonConverter(typeof(PublicIdJsonConverter<StoreId>))]
public readonly record struct StoreId(int Value) : IPublicId<StoreId>
{
    public static string Prefix => PublicId.Store;
    public static string Noun => "store";
    public static StoreId Of(int value) => new(value);
    public static bool TryParse(string? raw, out StoreId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<CategoryId>))]
public readonly record struct CategoryId(int Value) : IPublicId<CategoryId>
{
    public static string Prefix => PublicId.Category;
    public static string Noun => "category";
    public static CategoryId Of(int value) => new(value);
    public static bool TryParse(string? raw, out CategoryId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<ProductId>))]
public readonly record struct ProductId(int Value) : IPublicId<ProductId>
{
    public static string Prefix => PublicId.Product;
    public static string Noun => "product";
    public static ProductId Of(int value) => new(value);
    public static bool TryParse(string? raw, out ProductId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<SkuId>))]
public readonly record struct SkuId(int Value) : IPublicId<SkuId>
{
    public static string Prefix => PublicId.Sku;
    public static string Noun => "SKU";
    public static SkuId Of(int value) => new(value);
    public static bool TryParse(string? raw, out SkuId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<OrderId>))]
public readonly record struct OrderId(int Value) : IPublicId<OrderId>
{
    public static string Prefix => PublicId.Order;
    public static string Noun => "order";
    public static OrderId Of(int value) => new(value);
    public static bool TryParse(string? raw, out OrderId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<SlotId>))]
public readonly record struct SlotId(int Value) : IPublicId<SlotId>
{
    public static string Prefix => PublicId.Slot;
    public static string Noun => "delivery slot";
    public static SlotId Of(int value) => new(value);
    public static bool TryParse(string? raw, out SlotId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<PaymentId>))]
public readonly record struct PaymentId(int Value) : IPublicId<PaymentId>
{
    public static string Prefix => PublicId.Payment;
    public static string Noun => "payment";
    public static PaymentId Of(int value) => new(value);
    public static bool TryParse(string? raw, out PaymentId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<RefundId>))]
public readonly record struct RefundId(int Value) : IPublicId<RefundId>
{
    public static string Prefix => PublicId.Refund;
    public static string Noun => "refund";
    public static RefundId Of(int value) => new(value);
    public static bool TryParse(string? raw, out RefundId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<PriceId>))]
public readonly record struct PriceId(int Value) : IPublicId<PriceId>
{
    public static string Prefix => PublicId.Price;
    public static string Noun => "price";
    public static PriceId Of(int value) => new(value);
    public static bool TryParse(string? raw, out PriceId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}

[JsonConverter(typeof(PublicIdJsonConverter<WebhookId>))]
public readonly record struct WebhookId(int Value) : IPublicId<WebhookId>
{
    public static string Prefix => PublicId.Webhook;
    public static string Noun => "webhook endpoint";
    public static WebhookId Of(int value) => new(value);
    public static bool TryParse(string? raw, out WebhookId id) => PublicIds.TryParse(raw, out id);
    public override string ToString() => PublicIds.Format(this);
}
