using System.Net;
using System.Text;
using System.Text.Json;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// Ids with characters Table Storage forbids in keys (/ \ # ? and control characters), or too long, sent to
/// every HTTP route of the build's functions.metadata (so a new route is covered without touching this test)
/// in its path, its query and its body: a 4xx naming the field, never a 500, and nothing reaches storage.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class IdValidationTests(LocalMall mall)
{
    /// <summary>Each forbidden character inside an otherwise good id, and an id one character too long.</summary>
    public static readonly string[] BadIds =
    [
        "a/b", "a\\b", "a#b", "a?b", "a\u0000b", "a\u0001b", "a\u001Fb", "a\u007Fb", "a\u0085b", "a\u009Fb", new string('x', 65),
    ];

    private static List<HttpRoute> Routes { get; } = HttpRoute.FromFunctionsMetadata();

    [Fact]
    public void The_route_list_comes_from_the_build()
    {
        Assert.Contains(Routes, r => r.Template == "orders/{orderId}" && r.Method == "GET");
        Assert.Contains(Routes, r => r.Template == "manage/orders/{orderId}/refunds/{refundId}/approve");
        Assert.True(Routes.Count > 60, $"Only {Routes.Count} routes in functions.metadata.");
    }

    [Fact]
    public async Task Every_route_answers_a_400_naming_a_path_id_with_a_forbidden_character()
    {
        using var client = mall.Anonymous();
        var failures = new List<string>();
        foreach (var route in Routes.Where(r => r.Parameters.Count > 0))
        {
            foreach (var parameter in route.Parameters)
            {
                foreach (var bad in BadIds)
                {
                    var path = route.Fill(name => name == parameter ? Uri.EscapeDataString(bad) : "X1");
                    var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), path) { Content = JsonBody("{}") });
                    // Kestrel (like Azure's front end) refuses a NUL in the path before the app sees it.
                    var refusedByServer = bad.Contains('\0', StringComparison.Ordinal) && response.Status == HttpStatusCode.BadRequest;
                    if (!NamesField(response, HttpStatusCode.BadRequest, parameter) && !refusedByServer)
                    {
                        failures.Add($"{route.Method} {path}: {(int)response.Status} {response.Body}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_route_answers_a_400_naming_each_query_id_with_a_forbidden_character()
    {
        var names = Routes.SelectMany(r => r.Parameters).Distinct().ToList();
        using var client = mall.Anonymous();
        var failures = new List<string>();
        foreach (var route in Routes)
        {
            foreach (var bad in BadIds)
            {
                var query = string.Join('&', names.Select(name => $"{name}={Uri.EscapeDataString(bad)}"));
                var response = await client.SendAsync(OffContract(new HttpRequestMessage(new HttpMethod(route.Method), route.Fill(_ => "X1") + "?" + query) { Content = JsonBody("{}") }));
                var unnamed = names.Where(name => !NamesField(response, HttpStatusCode.BadRequest, name)).ToList();
                if (unnamed.Count > 0)
                {
                    failures.Add($"{route.Method} {route.Template} ({bad.Length} chars): {(int)response.Status} does not name {string.Join(", ", unnamed)}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task Every_route_refuses_bad_ids_in_its_body_and_idempotency_key_without_a_500()
    {
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var failures = new List<string>();
        foreach (var route in Routes.Where(r => r.Method is "POST" or "PUT" or "PATCH"))
        {
            foreach (var bad in BadIds)
            {
                var request = OffContract(new HttpRequestMessage(new HttpMethod(route.Method), route.Fill(_ => "X1")) { Content = JsonBody(RequestContracts.BodyWithEveryId(bad)) });
                if (bad.All(c => c is >= ' ' and <= '~'))
                {
                    request.Headers.TryAddWithoutValidation("Idempotency-Key", bad);
                }

                var response = await (route.Template.StartsWith("manage/", StringComparison.Ordinal) ? admin : customer).SendAsync(request);
                if ((int)response.Status >= 500)
                {
                    failures.Add($"{route.Method} {route.Template}: {(int)response.Status} {response.Body}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public async Task A_forged_continuation_token_is_a_400_on_every_paged_route()
    {
        using var customer = await mall.NewCustomerAsync();
        using var admin = await mall.AdminAsync();
        var failures = new List<string>();
        foreach (var route in Routes.Where(r => r.Method == "GET" && r.Parameters.Count == 0))
        {
            foreach (var forged in new[] { "a/b c#d", "1!8!\u0001", "x" })
            {
                var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(forged)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                var response = await (route.Template.StartsWith("manage/", StringComparison.Ordinal) ? admin : customer).SendAsync(OffContract(new HttpRequestMessage(HttpMethod.Get, $"{route.Template}?continuationToken={token}")));
                if ((int)response.Status >= 500)
                {
                    failures.Add($"GET {route.Template} with a token of '{forged}': {(int)response.Status} {response.Body}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("auth/login", """{"code":"u1#1","inviteCode":"a/b"}""", "inviteCode")]
    [InlineData("cart/items", """{"skuId":"a/b","quantity":1}""", "skuId")]
    [InlineData("orders/preview", """{"items":[{"skuId":"a/b","quantity":1}]}""", "items[0].skuId")]
    [InlineData("orders/preview", """{"items":[{"skuId":"P_X-1","quantity":1}],"couponId":"a/b"}""", "couponId")]
    [InlineData("orders", """{"items":[{"skuId":"P_X-1","quantity":1}],"couponId":"a/b"}""", "couponId")]
    [InlineData("group-buys", """{"campaignId":"a/b"}""", "campaignId")]
    [InlineData("presales", """{"campaignId":"a/b"}""", "campaignId")]
    public async Task The_reported_ids_with_a_slash_are_a_400_naming_the_field(string path, string body, string field)
    {
        using var customer = await mall.NewCustomerAsync();
        var request = OffContract(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonBody(body) });
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        var response = await customer.SendAsync(request);

        Assert.True(NamesField(response, HttpStatusCode.BadRequest, field), $"{(int)response.Status} {response.Body}");
    }

    [Fact]
    public async Task A_stock_adjustment_key_with_a_slash_is_a_400_naming_the_header()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 5);
        using var admin = await mall.AdminAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, $"manage/skus/{skuId}/stock-adjustments") { Content = JsonBody("""{"delta":1,"reason":"x"}""") };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "restock/2024-05-20");

        var response = await admin.SendAsync(request);

        Assert.True(NamesField(response, HttpStatusCode.BadRequest, "Idempotency-Key"), $"{(int)response.Status} {response.Body}");
    }

    [Fact]
    public async Task Signed_notifications_for_a_slash_id_are_refused_as_a_bad_request_not_a_500()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 5);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await LocalMall.PlaceAndPrepayAsync(customer, skuId, 1);
        var paid = await mall.Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions { Notify = false });
        using var webhooks = mall.Anonymous();
        var payment = mall.Environment.Sandbox.BuildPaymentNotification(paid.Resource with { OutTradeNo = "a/b" });
        var refund = mall.Environment.Sandbox.BuildRefundNotification(new RefundNotificationResource
        {
            MchId = paid.Resource.MchId,
            TransactionId = paid.Resource.TransactionId,
            OutTradeNo = "a/b",
            OutRefundNo = "a/bR1",
            RefundId = "50000000382019052709732678859",
            RefundStatus = RefundStatuses.Success,
            Amount = new RefundAmount { Total = 100, Refund = 100, PayerTotal = 100, PayerRefund = 100, Currency = "CNY" },
        });

        var paymentAnswer = await webhooks.SendAsync(payment.ToHttpRequest(new Uri(mall.Host.BaseAddress, "api/payments/wechat/notify")));
        var refundAnswer = await webhooks.SendAsync(refund.ToHttpRequest(new Uri(mall.Host.BaseAddress, "api/payments/wechat/refund-notify")));

        Assert.True(paymentAnswer.Status == HttpStatusCode.BadRequest, $"{(int)paymentAnswer.Status} {paymentAnswer.Body}");
        Assert.True(refundAnswer.Status == HttpStatusCode.BadRequest, $"{(int)refundAnswer.Status} {refundAnswer.Body}");
        Assert.Equal("pendingPayment", (await customer.GetAsync($"orders/{orderId}")).Body.GetProperty("status").GetString());
    }

    private static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    private static bool NamesField(ApiResponse response, HttpStatusCode status, string field) =>
        response.Status == status
        && response.Body.ValueKind == JsonValueKind.Object
        && response.Body.TryGetProperty("errors", out var errors)
        && errors.ValueKind == JsonValueKind.Object
        && errors.TryGetProperty(field, out _);

    /// <summary>One HTTP trigger of functions.metadata: method, route template and its parameters.</summary>
    private sealed record HttpRoute(string Method, string Template, IReadOnlyList<string> Parameters)
    {
        public static List<HttpRoute> FromFunctionsMetadata() =>
            FunctionMetadata.ReadFrom(RepositoryPaths.BuildOutput("functions/Mall.Functions"))
                .SelectMany(function => function.Bindings.Where(b => b.IsOfType("httpTrigger")).Select(trigger => (function, trigger)))
                .Where(f => !f.trigger.Get("route")!.Contains('*', StringComparison.Ordinal)) // the catch-all 404
                .SelectMany(f => (f.trigger.GetStrings("methods") ?? ["get"]).Select(method => new HttpRoute(
                    method.ToUpperInvariant(),
                    f.trigger.Get("route")!,
                    f.trigger.Get("route")!.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}').Split(':')[0]).ToList())))
                .ToList();

        public string Fill(Func<string, string> value) =>
            string.Join('/', Template.Split('/').Select(segment => segment.StartsWith('{') ? value(segment.Trim('{', '}').Split(':')[0]) : segment));
    }

    /// <summary>Probes sent whatever every route may be sent, declared for it or not: the contract check reads only their answers.</summary>
    private static HttpRequestMessage OffContract(HttpRequestMessage request)
    {
        request.Options.Set(ContractCheckingHandler.OffContract, true);
        return request;
    }
}
