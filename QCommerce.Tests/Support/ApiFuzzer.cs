using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Payments;

namespace QCommerce.Tests.Support;

/// <summary>
/// Walks the app's own OpenAPI document and sends malformed variants of every operation: wrong types,
/// nulls, empties, huge and negative numbers, long and odd Unicode, NUL and control characters, deep
/// and large JSON, bodies that are not objects, bad headers and content types, no or a forged token.
/// Each answer must be below 500; each 4xx the app produces must be problem details; and a refused
/// request must leave every table's row count as it was.
/// </summary>
public sealed class ApiFuzzer(QCommerceApp app)
{
    private const string Password = "Groceries-2026";

    private readonly List<string> _failures = [];
    private readonly Dictionary<string, SortedDictionary<int, int>> _statusByRoute = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _known = new(StringComparer.OrdinalIgnoreCase);
    private HttpClient _shopper = null!;
    private HttpClient _anonymous = null!;
    private string _email = "";
    private string _refreshToken = "";
    private string[] _tables = [];
    private long[] _counts = [];

    public int Requests { get; private set; }
    public IReadOnlyList<string> Failures => _failures;

    /// <summary>
    /// Sends every variant of every operation in a random order fixed by <paramref name="seed"/>, and again (with fresh
    /// keys) until at least <paramref name="minimum"/> went out.
    /// </summary>
    public async Task RunAsync(int minimum, int seed)
    {
        await ArrangeAsync();
        var cases = new List<FuzzCase>();
        var document = JsonNode.Parse(await _anonymous.GetStringAsync("/openapi/v1.json"))!;
        foreach (var (path, operations) in document["paths"]!.AsObject())
            foreach (var (method, operation) in operations!.AsObject())
                cases.AddRange(CasesFor(document, method.ToUpperInvariant(), path, operation!));
        var random = new Random(seed);
        var ordered = cases.OrderBy(_ => random.Next()).ToList();
        var toSend = new List<FuzzCase>(ordered);
        while (toSend.Count < minimum) toSend.AddRange(ordered.OrderBy(_ => random.Next()));
        await SnapshotAsync();
        foreach (var fuzzCase in toSend) await SendAsync(fuzzCase);
    }

    /// <summary>A table of answers per route (method, path, then how many of each status).</summary>
    public string StatusTable()
    {
        var statuses = _statusByRoute.Values.SelectMany(s => s.Keys).Distinct().Order().ToList();
        var text = new StringBuilder();
        text.AppendLine($"| route | {string.Join(" | ", statuses)} | requests |");
        text.AppendLine($"|---|{string.Concat(statuses.Select(_ => "---|"))}---|");
        foreach (var (route, counts) in _statusByRoute.OrderBy(r => r.Key, StringComparer.Ordinal))
            text.AppendLine($"| {route} | {string.Join(" | ", statuses.Select(s => counts.TryGetValue(s, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : ""))} | {counts.Values.Sum()} |");
        var total = statuses.Select(s => _statusByRoute.Values.Sum(c => c.GetValueOrDefault(s))).ToList();
        text.AppendLine($"| **all** | {string.Join(" | ", total)} | {Requests} |");
        if (statuses.Contains(0)) text.AppendLine("\n0: the server closed the connection on a body over the route's size limit before the client had sent it all.");
        return text.ToString();
    }

    private async Task ArrangeAsync()
    {
        _anonymous = NewClient();
        var shopper = await ApiShopper.SignUpAsync(app);
        _shopper = NewClient();
        _shopper.DefaultRequestHeaders.Authorization = shopper.Http.DefaultRequestHeaders.Authorization;
        var (cardOrder, skus) = await shopper.PlaceOrderAsync(skuOffset: 120);
        var (codOrder, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 123);
        var (unpaidOrder, _) = await shopper.PlaceOrderAsync(skuOffset: 126);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(cardOrder), HttpStatusCode.Created);

        _email = $"fuzz-{Guid.NewGuid():N}@example.com";
        await ApiShopper.JsonAsync(await _anonymous.PostAsJsonAsync("/v1/auth/register", new { email = _email, password = Password }), HttpStatusCode.OK);
        var tokens = await ApiShopper.JsonAsync(await _anonymous.PostAsJsonAsync("/v1/auth/login", new { email = _email, password = Password }), HttpStatusCode.OK);
        _refreshToken = tokens.GetProperty("refreshToken").GetString()!;

        _known["storeId"] = ApiShopper.Midtown;
        _known["skuId"] = $"sku_{skus[0]}";
        _known["productId"] = "p_1";
        _known["categoryId"] = "cat_1";
        _known["orderId"] = codOrder;
        _known["unpaidOrderId"] = unpaidOrder;
        _known["paymentId"] = started.GetProperty("paymentId").GetString()!;
        _known["zip"] = "10036";
        _known["query"] = "milk";
        _known["page"] = "1";
        _known["pageSize"] = "5";
        _known["sort"] = "price_asc";

        await using var db = app.Database.CreateContext();
        _tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>()
            // Written by background jobs on their own clock (slots for the next hours; data-protection keys), never by a request.
            .Where(t => t is not ("DeliverySlots" or "DataProtectionKeys")).Distinct().Order().ToArray();
    }

    private IEnumerable<FuzzCase> CasesFor(JsonNode document, string method, string path, JsonNode operation)
    {
        var route = $"{method} {path}";
        var parameters = operation["parameters"]?.AsArray()
            .Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>(), Boolean: p["schema"]?["type"]?.ToString() == "boolean"))
            .ToList() ?? [];
        var schema = operation["requestBody"]?["content"]?["application/json"]?["schema"];
        var isWebhook = path == "/v1/webhooks/psp";
        JsonNode? body = isWebhook ? WebhookBaseline() : schema is null ? null : Generate(document, schema, "");
        // Signing up needs an address nobody has yet, or every variant would only meet "already taken".
        if (path.EndsWith("/register", StringComparison.Ordinal) && body?["email"] is not null) body["email"] = FreshEmail;
        var baseline = new FuzzCase(route, "baseline", method, path, parameters.Where(p => p.In == "path").ToDictionary(p => p.Name, p => (string?)Known(p.Name)),
            parameters.Where(p => p.In == "query").ToDictionary(p => p.Name, p => (string?)(p.Boolean ? "false" : Known(p.Name))), body?.ToJsonString(), "application/json",
            parameters.Any(p => p.Name == "Idempotency-Key"), Auth.Shopper, null, isWebhook);
        yield return baseline;

        foreach (var name in baseline.PathValues.Keys)
            foreach (var (label, value) in BadTexts())
                yield return baseline with { Kind = $"path {name}: {label}", PathValues = new(baseline.PathValues) { [name] = value } };
        foreach (var name in baseline.Query.Keys)
        {
            foreach (var (label, value) in BadTexts())
                yield return baseline with { Kind = $"query {name}: {label}", Query = new(baseline.Query) { [name] = value } };
            yield return baseline with { Kind = $"query {name}: twice", RawQuerySuffix = $"&{Uri.EscapeDataString(name)}=a&{Uri.EscapeDataString(name)}=b" };
        }
        if (body is not null)
        {
            foreach (var (pointer, mutated, label) in MutateLeaves(body))
                yield return baseline with { Kind = $"body {pointer}: {label}", Body = mutated };
            foreach (var (label, raw) in BadBodies(body))
                yield return baseline with { Kind = $"body: {label}", Body = raw };
            foreach (var (label, contentType) in BadContentTypes())
                yield return baseline with { Kind = $"content-type: {label}", ContentType = contentType };
        }
        if (baseline.NeedsIdempotencyKey)
            foreach (var (label, values) in BadIdempotencyKeys())
                yield return baseline with { Kind = $"Idempotency-Key: {label}", IdempotencyKeys = values };
        yield return baseline with { Kind = "no credentials", Auth = Auth.None };
        yield return baseline with { Kind = "forged bearer token", Auth = Auth.Forged };
        yield return baseline with { Kind = "huge bearer token", Auth = Auth.Huge };
        yield return baseline with { Kind = "basic credentials", Auth = Auth.Basic };
    }

    /// <summary>A client that sends any header value, non-ASCII ones as UTF-8, as a careless client would.</summary>
    private HttpClient NewClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
    })
    { BaseAddress = app.BaseAddress };

    /// <summary>Replaced by a new address in every request that carries it.</summary>
    private const string FreshEmail = "fuzz-fresh@example.com";

    private string Known(string name) => _known.TryGetValue(name, out var value) ? value : "1";

    private static IEnumerable<(string, string?)> BadTexts() =>
    [
        ("empty", ""), ("space", " "), ("tab", "\t"), ("NUL", "\0"), ("NUL inside", "sku_1\0"), ("control characters", "\u0001\u001b\u007f"),
        ("wrong prefix", "zz_1"), ("prefix only", "sku_"), ("zero", "o_0"), ("negative", "o_-1"), ("overflow", "o_99999999999999999999"),
        ("upper case", "ST_1"), ("padded", " st_1 "), ("decimal", "1.5"), ("long", new string('x', 3000)),
        ("emoji", "🍌🥛"), ("right-to-left override", "\u202est_1"), ("combining marks", string.Concat(Enumerable.Repeat("e\u0301", 200))),
        ("lone surrogate", "\ud800"), ("sql", "1' OR '1'='1"), ("dot dot", ".."), ("percent", "%"), ("no-break space", "\u00a0"),
    ];

    /// <summary>For every value in the baseline body (and the body's own properties), the same body with that value made bad.</summary>
    private static IEnumerable<(string Pointer, string Body, string Label)> MutateLeaves(JsonNode body)
    {
        var replacements = new (string Label, Func<JsonNode?> Value)[]
        {
            ("null", () => null), ("empty string", () => ""), ("whitespace", () => "   "), ("true", () => true), ("zero", () => 0), ("negative", () => -1),
            ("int max", () => int.MaxValue), ("past int", () => 2147483648L), ("huge", () => JsonNode.Parse("1e400")), ("fraction", () => 1.5),
            ("number as string", () => "2"), ("array", () => new JsonArray()), ("object", () => new JsonObject()), ("NUL", () => "\0"),
            ("NUL inside", () => "ab\0cd"), ("control characters", () => "\u0001\u0008\u001f"), ("long", () => new string('y', 5000)),
            ("very long", () => new string('z', 300_000)), ("emoji", () => "🍌🥛🧀"), ("right-to-left", () => "\u202eabc"),
            ("combining marks", () => string.Concat(Enumerable.Repeat("a\u0301", 500))), ("zero-width", () => "\u200b\u200b"),
            ("wrong id prefix", () => "p_1"), ("bare number id", () => "7"),
        };
        foreach (var (pointer, _) in Leaves(body, ""))
        {
            foreach (var (label, value) in replacements)
                yield return (pointer, Replace(body, pointer, value()), label);
            yield return (pointer, Remove(body, pointer), "missing");
            // JSON escapes System.Text.Json refuses to turn into a string (a lone surrogate) and a raw NUL byte.
            yield return (pointer, Replace(body, pointer, "__LONE__").Replace("\"__LONE__\"", "\"\\ud800\""), "lone surrogate escape");
        }
        if (body is JsonObject)
            yield return ("", Replace(body, "/unexpected", "field"), "an unknown field");
        foreach (var (pointer, node) in Leaves(body, "").Where(l => l.Node is JsonArray))
        {
            yield return (pointer, Replace(body, pointer, new JsonArray(JsonValue.Create((string?)null))), "[null]");
            yield return (pointer, Replace(body, pointer, new JsonArray(Enumerable.Range(0, 1000).Select(_ => node!.AsArray().FirstOrDefault()?.DeepClone()).ToArray())), "1000 copies");
        }
    }

    /// <summary>Every property path of the body (objects, arrays and values), JSON-pointer style.</summary>
    private static IEnumerable<(string Pointer, JsonNode? Node)> Leaves(JsonNode? node, string pointer)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    yield return ($"{pointer}/{name}", child);
                    foreach (var inner in Leaves(child, $"{pointer}/{name}")) yield return inner;
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    yield return ($"{pointer}/{i}", array[i]);
                    foreach (var inner in Leaves(array[i], $"{pointer}/{i}")) yield return inner;
                }
                break;
        }
    }

    private static string Replace(JsonNode body, string pointer, JsonNode? value)
    {
        var copy = body.DeepClone();
        var (parent, key) = Walk(copy, pointer);
        switch (parent)
        {
            case JsonObject obj: obj[key] = value; break;
            case JsonArray array: array[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)] = value; break;
        }
        return copy.ToJsonString();
    }

    private static string Remove(JsonNode body, string pointer)
    {
        var copy = body.DeepClone();
        var (parent, key) = Walk(copy, pointer);
        switch (parent)
        {
            case JsonObject obj: obj.Remove(key); break;
            case JsonArray array: array.RemoveAt(int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)); break;
        }
        return copy.ToJsonString();
    }

    private static (JsonNode? Parent, string Key) Walk(JsonNode root, string pointer)
    {
        var parts = pointer.Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode? node = root;
        foreach (var part in parts[..^1])
            node = node is JsonArray a ? a[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node?[part];
        return (node, parts[^1]);
    }

    private static IEnumerable<(string, string?)> BadBodies(JsonNode body) =>
    [
        ("none", null), ("empty", ""), ("whitespace", "  \n"), ("truncated", body.ToJsonString()[..^1]), ("not JSON", "storeId=st_1"),
        ("null", "null"), ("an array", "[]"), ("an array of it", $"[{body.ToJsonString()}]"), ("a string", "\"text\""), ("a number", "42"), ("true", "true"),
        ("deep arrays", new string('[', 5000) + new string(']', 5000)),
        ("deep objects", string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300)),
        ("5 MB string", $"{{\"x\":\"{new string('x', 5_000_000)}\"}}"),
        ("duplicate keys", body.ToJsonString().Replace("{", "{\"dup\":1,\"dup\":2,", StringComparison.Ordinal)),
        ("a comment", "/* hello */" + body.ToJsonString()), ("trailing comma", body.ToJsonString()[..^1] + ",}"),
        ("single quotes", body.ToJsonString().Replace('"', '\'')), ("raw NUL byte", body.ToJsonString().Insert(1, "\0")),
        ("BOM", "\uFEFF" + body.ToJsonString()),
    ];

    private static IEnumerable<(string, string?)> BadContentTypes() =>
    [
        ("none", null), ("text/plain", "text/plain"), ("xml", "application/xml"), ("form", "application/x-www-form-urlencoded"),
        ("multipart", "multipart/form-data; boundary=x"), ("latin-1 charset", "application/json; charset=iso-8859-1"),
        ("unknown charset", "application/json; charset=nonsense"), ("quoted charset", "application/json; charset=\"utf-8\""),
        ("UTF-7", "application/json; charset=utf-7"), ("UTF-16", "application/json; charset=utf-16"), ("garbage", "%%%;;;"),
    ];

    private static IEnumerable<(string, string[])> BadIdempotencyKeys() =>
    [
        ("missing", []), ("empty", [""]), ("whitespace", ["   "]), ("two headers", [Guid.NewGuid().ToString(), Guid.NewGuid().ToString()]),
        ("comma list", [$"{Guid.NewGuid()},{Guid.NewGuid()}"]), ("too long", [new string('k', 1000)]), ("control characters", ["key\u0001\u0002"]),
        ("non-ASCII", ["clé-ünïcødé"]),
    ];

    /// <summary>A JSON value for a schema, with real ids and values where a property's name says what it is.</summary>
    private JsonNode? Generate(JsonNode document, JsonNode schema, string name)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
            return Generate(document, document["components"]!["schemas"]![reference.Split('/')[^1]]!, name);
        if (schema["oneOf"] is JsonArray oneOf)
            return Generate(document, oneOf.First(s => s!["type"]?.ToString() != "null")!, name);
        var types = schema["type"] switch
        {
            JsonArray array => array.Select(t => t!.GetValue<string>()).ToList(),
            JsonValue value => [value.GetValue<string>()],
            _ => ["object"],
        };
        if (types.Contains("object"))
        {
            var obj = new JsonObject();
            foreach (var (property, propertySchema) in schema["properties"]?.AsObject() ?? [])
                obj[property] = Generate(document, propertySchema!, property);
            return obj;
        }
        if (types.Contains("array"))
            return new JsonArray(Generate(document, schema["items"]!, name.TrimEnd('s')));
        if (types.Contains("integer") || types.Contains("number")) return 1;
        if (types.Contains("boolean")) return false;
        return name switch
        {
            "email" => _email,
            "password" => Password,
            "refreshToken" => _refreshToken,
            "displayName" => "Fuzz Tester",
            "line1" => "401 W 42nd Street",
            "line2" => null,
            "city" => "New York",
            "zip" => "10036",
            "type" => "cod",
            "couponCode" or "deliverySlot" => null,
            "reason" => "changed my mind",
            "skuId" or "skuIds" or "sku" => _known["skuId"],
            "orderId" => _known["unpaidOrderId"],
            _ => _known.TryGetValue(name, out var known) ? known : "x",
        };
    }

    private static JsonNode WebhookBaseline() => new JsonObject
    {
        ["id"] = "evt_fuzz", ["object"] = "event", ["api_version"] = "2020-08-27", ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["type"] = "payment_intent.succeeded",
        ["data"] = new JsonObject
        {
            ["object"] = new JsonObject
            {
                ["id"] = "pi_fuzz_nobody_knows", ["object"] = "payment_intent", ["amount"] = 100, ["amount_received"] = 100, ["currency"] = "usd",
                ["status"] = "succeeded",
            },
        },
    };

    private async Task SendAsync(FuzzCase c)
    {
        var url = c.Path;
        foreach (var (name, value) in c.PathValues) url = url.Replace("{" + name + "}", Uri.EscapeDataString(value ?? ""), StringComparison.Ordinal);
        var query = string.Join('&', c.Query.Where(q => q.Value is not null).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value!)}"));
        if (query.Length + c.RawQuerySuffix.Length > 0) url += "?" + query + c.RawQuerySuffix;

        using var request = new HttpRequestMessage(new HttpMethod(c.Method), url);
        if (c.Body is not null)
        {
            // The webhook's events must carry a unique id, so a refused copy is not mistaken for a duplicate.
            var body = c.IsWebhook ? c.Body.Replace("evt_fuzz", $"evt_fuzz_{Guid.NewGuid():N}", StringComparison.Ordinal)
                : c.Body.Replace(FreshEmail, $"fuzz-{Guid.NewGuid():N}@example.com", StringComparison.Ordinal);
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            if (c.ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", c.ContentType);
            request.Content = content;
            // A body over a route's size limit is refused (413) before it is read: with 100-continue the client hears that
            // instead of pushing megabytes into a connection the server has already closed.
            if (body.Length > 1_000_000) request.Headers.ExpectContinue = true;
            if (c.IsWebhook)
            {
                var secret = app.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Stripe.WebhookSecret;
                request.Headers.TryAddWithoutValidation("Stripe-Signature",
                    Stripe.EventUtility.GenerateSignatureHeader(body, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
            }
        }
        if (c.NeedsIdempotencyKey)
            foreach (var key in c.IdempotencyKeys ?? [Guid.NewGuid().ToString()]) request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        var client = c.Auth == Auth.Shopper ? _shopper : _anonymous;
        switch (c.Auth)
        {
            case Auth.Forged: request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "CfDJ8forged" + new string('A', 200)); break;
            case Auth.Huge: request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('B', 6000)); break;
            case Auth.Basic: request.Headers.TryAddWithoutValidation("Authorization", "Basic " + Convert.ToBase64String("admin:admin"u8.ToArray())); break;
        }

        Requests++;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (HttpRequestException) when (request.Content?.Headers.ContentLength > 1_000_000)
        {
            // HTTP lets a server close the connection on a body over its limit (413) while the client still sends it;
            // the client then sees a reset instead of the answer. Not an error of the app's: counted as "0", and the app must
            // still be standing, which the next request tells.
            Count(c.Route, 0);
            return;
        }
        catch (HttpRequestException ex)
        {
            Fail(c, 0, $"the connection failed: {ex.Message}");
            return;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            Count(c.Route, status);
            var text = await response.Content.ReadAsStringAsync();
            // Kestrel itself refuses some requests before the app sees them (a NUL in the path): no app header, nothing to hold the app to.
            var fromTheApp = response.Headers.Contains("X-Request-Id");
            if (status >= 500) Fail(c, status, text);
            else if (status >= 400 && !fromTheApp) await SnapshotAsync();
            else if (status >= 400)
            {
                if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") Fail(c, status, $"not problem details ({response.Content.Headers.ContentType}): {text}");
                else if (JsonDocument.Parse(text).RootElement.TryGetProperty("status", out var s) && s.GetInt32() != status) Fail(c, status, $"problem says status {s}");
                else if (text.Length > 20_000) Fail(c, status, $"an error of {text.Length} characters echoes the input");
                var changed = await ChangedTablesAsync();
                if (changed.Count > 0) Fail(c, status, $"refused, yet rows changed in {string.Join(", ", changed)}");
            }
            else await SettleAndSnapshotAsync();
        }
    }

    private void Count(string route, int status)
    {
        if (!_statusByRoute.TryGetValue(route, out var counts)) _statusByRoute[route] = counts = new SortedDictionary<int, int>();
        counts[status] = counts.GetValueOrDefault(status) + 1;
    }

    private void Fail(FuzzCase c, int status, string detail)
    {
        if (_failures.Count < 60) _failures.Add($"{c.Route} [{c.Kind}] → {status}: {(detail.Length > 300 ? detail[..300] + "…" : detail)}");
    }

    /// <summary>After an accepted request its outbox effects run in the background; the counts are taken once they are done.</summary>
    private async Task SettleAndSnapshotAsync()
    {
        var until = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < until)
        {
            await using var db = app.Database.CreateContext();
            if (!await db.OutboxMessages.AnyAsync(m => m.ProcessedAtUtc == null)) break;
            await Task.Delay(20);
        }
        await SnapshotAsync();
    }

    private async Task SnapshotAsync() => _counts = await CountAsync();

    private async Task<List<string>> ChangedTablesAsync()
    {
        var now = await CountAsync();
        var changed = _tables.Where((_, i) => now[i] != _counts[i]).ToList();
        _counts = now;
        return changed;
    }

    private async Task<long[]> CountAsync()
    {
        await using var db = app.Database.CreateContext();
        var sql = "SELECT " + string.Join(", ", _tables.Select(t => $"(SELECT COUNT(*) FROM \"{t}\")"));
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return _tables.Select((_, i) => Convert.ToInt64(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    private enum Auth
    {
        Shopper,
        None,
        Forged,
        Huge,
        Basic,
    }

    private sealed record FuzzCase(
        string Route, string Kind, string Method, string Path, Dictionary<string, string?> PathValues, Dictionary<string, string?> Query,
        string? Body, string? ContentType, bool NeedsIdempotencyKey, Auth Auth, string[]? IdempotencyKeys, bool IsWebhook)
    {
        public string RawQuerySuffix { get; init; } = "";
    }
}
