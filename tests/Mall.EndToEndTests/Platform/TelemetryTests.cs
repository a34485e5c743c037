using System.Diagnostics;
using System.Net;
using Mall.Application.Platform;
using Mall.Testing;
using OpenTelemetry.Trace;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// What operators see of a checkout, through a mall of its own whose tracer provider also exports to memory: each
/// request of the mini-program is one trace — the host's request span, the worker's invocation, the storage calls
/// and WeChat calls it makes — named by the order id and a pseudonym of the customer, never the customer's id or
/// openid; and the business metrics move as the order is placed and paid. Spans of every host in this process reach
/// every tracer provider (listeners are process-wide), so the assertions select by trace id and order id.
/// </summary>
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly ExportedSpans spans = new();
    private readonly Customers.CapturedLogs logs = new();
    private readonly LocalMall mall;

    public TelemetryTests()
    {
        mall = new LocalMall(logs, services => services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
    }

    public Task InitializeAsync() => mall.InitializeAsync();

    public Task DisposeAsync() => mall.DisposeAsync();

    [Fact]
    public async Task Placing_an_order_is_one_trace_and_paying_it_another_each_with_storage_and_WeChat_spans_naming_the_order()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 2_500, stock: 10);
        using var customer = await mall.NewCustomerAsync();

        var placed = await customer.PostAsync("orders", new { items = new[] { new { skuId, quantity = 1 } }, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.Status);
        var orderId = placed.Body.GetProperty("id").GetString()!;
        var customerId = placed.Body.GetProperty("customerId").GetString()!;
        var placing = await RequestSpanAsync("POST", "/api/orders");
        var ofOrder = Snapshot().Where(span => span.GetTagItem(MallTelemetry.OrderId) as string == orderId).ToList();
        Assert.All(ofOrder, span => Assert.Equal(placing.TraceId, span.TraceId));
        var invocation = Assert.Single(Snapshot(), span => span.ParentSpanId == placing.SpanId && span.DisplayName == "Invoke");
        Assert.Equal(orderId, invocation.GetTagItem(MallTelemetry.OrderId));
        Assert.Matches("^[0-9a-f]{24}$", invocation.GetTagItem(MallTelemetry.Customer) as string);
        Assert.Contains(ofOrder, span => span.DisplayName == "insert Orders" && span.Kind == ActivityKind.Client);
        Assert.True(InTrace(placing).Count(span => span.GetTagItem("db.system.name") as string == MallTelemetry.TableStorageSystem) >= 3, "Placing an order reads and writes several tables.");

        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        var paying = await RequestSpanAsync("POST", $"/api/orders/{orderId}/pay");
        var paySpans = InTrace(paying);
        var prepay = Assert.Single(paySpans, span => span.Kind == ActivityKind.Client && (span.GetTagItem("url.full") as string ?? string.Empty).EndsWith("/v3/pay/transactions/jsapi", StringComparison.Ordinal));
        Assert.Equal(orderId, prepay.GetTagItem(MallTelemetry.OrderId));
        Assert.Contains(paySpans, span => span.DisplayName == "replace Orders" && span.GetTagItem(MallTelemetry.OrderId) as string == orderId);
        Assert.DoesNotContain(paySpans, span => span.GetTagItem("db.system.name") is null && span.Parent?.GetTagItem("db.system.name") is not null);

        // Personal data: the customer appears as a pseudonym only, on every span this mall made.
        var openId = mall.Environment.Sandbox.OpenIdOf(customer.WeChatUser!);
        var values = Snapshot().Where(span => span.TraceId == placing.TraceId || span.TraceId == paying.TraceId)
            .SelectMany(span => span.TagObjects.Select(tag => $"{span.DisplayName} {tag.Key}={tag.Value}")).ToList();
        Assert.DoesNotContain(values, value => value.Contains(customerId, StringComparison.Ordinal) || value.Contains(openId, StringComparison.Ordinal));
    }

    /// <summary>
    /// Storage calls made outside the traced document collections (the event ledger's markers, due work keyed by a
    /// customer) are HTTP requests whose URL holds the entity's keys; log lines go to the same telemetry store.
    /// </summary>
    [Fact]
    public async Task No_span_or_log_line_of_a_customers_registration_order_events_and_erasure_names_the_customer()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 2_500, stock: 10);
        using var customer = await mall.NewCustomerAsync();
        var placed = await customer.PostAsync("orders", new { items = new[] { new { skuId, quantity = 1 } }, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, placed.Status);
        var orderId = placed.Body.GetProperty("id").GetString()!;
        var customerId = placed.Body.GetProperty("customerId").GetString()!;
        var viewed = await customer.PostAsync("events", new { events = new[] { new { id = "telemetry-1", type = "product_view", occurredAt = DateTimeOffset.UtcNow, productId } } });
        Assert.Equal(HttpStatusCode.OK, viewed.Status);
        Assert.Equal(HttpStatusCode.NoContent, (await customer.DeleteAsync("me")).Status);
        await RequestSpanAsync("DELETE", "/api/me");

        var openId = mall.Environment.Sandbox.OpenIdOf(customer.WeChatUser!);
        var spanValues = Snapshot().SelectMany(span => span.TagObjects.Select(tag => $"{span.DisplayName} {tag.Key}={tag.Value}")).ToList();
        Assert.Contains(spanValues, value => value.Contains(orderId, StringComparison.Ordinal));
        Assert.Contains(logs.Entries, entry => entry.Contains(orderId, StringComparison.Ordinal));
        var leaks = spanValues.Concat(logs.Entries)
            .Where(value => value.Contains(customerId, StringComparison.Ordinal) || value.Contains(openId, StringComparison.Ordinal))
            .ToList();
        Assert.True(leaks.Count == 0, "The customer named in telemetry:\n" + string.Join('\n', leaks.Take(20)));
    }

    [Fact]
    public async Task The_orchestration_a_request_causes_through_its_events_continues_the_requests_trace()
    {
        var (campaignId, _, _) = await GroupBuy.GroupBuySteps.CampaignAsync(mall, size: 2, timeLimitSeconds: 600);
        using var leader = await mall.NewCustomerAsync();
        using var member = await mall.NewCustomerAsync();

        var (groupId, leaderOrder) = await GroupBuy.GroupBuySteps.OpenAsync(leader, campaignId);
        var opening = await RequestSpanAsync("POST", "/api/group-buys");
        await GroupBuy.GroupBuySteps.PayAsync(mall, leader, leaderOrder);
        await GroupBuy.GroupBuySteps.JoinAndPayAsync(mall, member, groupId);

        // GroupBuyOpened is handled from the dispatch queue, in the trace its outbox kept; the handler starts the
        // group's orchestration, whose span (it ends when the group is complete) and activities continue that trace.
        await LocalMall.EventuallyAsync(
            () => InTrace(opening).Any(span => span.DisplayName == "orchestration:GroupBuyOrchestrator" && span.GetTagItem(MallTelemetry.OrchestrationId) as string == groupId),
            "the group's orchestration in the trace of the request that opened it");
        var spansOfIt = InTrace(opening);
        Assert.Contains(spansOfIt, span => span.DisplayName == "handle GroupBuyOpened" && span.Kind == ActivityKind.Consumer);
        Assert.Contains(spansOfIt, span => span.Kind == ActivityKind.Producer && span.GetTagItem(MallTelemetry.OrchestrationId) as string == groupId);
        Assert.Contains(spansOfIt, span => span.DisplayName.StartsWith("activity:", StringComparison.Ordinal) && span.GetTagItem(MallTelemetry.OrchestrationId) as string == groupId);
    }

    [Fact]
    public async Task A_paid_order_is_counted_placed_and_paid_with_its_amount_and_the_notification_delay()
    {
        using var metrics = new RecordedMetrics(mall.Host.Services);

        var (_, skuId) = await mall.CreateProductAsync(priceFen: 12_300, stock: 10);
        using var customer = await mall.NewCustomerAsync();
        var orderId = await mall.PaidOrderAsync(customer, skuId, quantity: 1);
        var payable = (await customer.GetAsync($"orders/{orderId}")).Body.GetProperty("pricing").GetProperty("payableFen").GetInt64();

        // The order reads paid as soon as the notification's write lands, before its handler records the delay
        // (the last of its measurements): wait for that, not for the order.
        await LocalMall.EventuallyAsync(() => metrics.Count("mall.payments.notify_latency") > 0, "the notification's delay measured");
        Assert.Equal(1, metrics.Sum("mall.orders.placed"));
        Assert.Equal(1, metrics.Sum("mall.payments.succeeded"));
        Assert.Equal(payable, metrics.Sum("mall.orders.gmv_fen"));
        Assert.Equal(1, metrics.Count("mall.payments.notify_latency"));
        Assert.Equal(0, metrics.Sum("mall.payments.failed"));
    }

    private List<Activity> Snapshot() => spans.Snapshot();

    private List<Activity> InTrace(Activity request) => Snapshot().Where(span => span.TraceId == request.TraceId).ToList();

    /// <summary>The host's span of the request (it ends once the response is written, so it may come a moment after the response).</summary>
    private async Task<Activity> RequestSpanAsync(string method, string path)
    {
        Activity? found = null;
        await LocalMall.EventuallyAsync(
            () => (found = Snapshot().LastOrDefault(span => span.Kind == ActivityKind.Server && span.Source.Name == "Microsoft.AspNetCore"
                && span.GetTagItem("http.request.method") as string == method && span.GetTagItem("url.path") as string == path
                && span.GetTagItem("server.port") is int port && port == mall.Host.BaseAddress.Port)) is not null,
            $"the host's span of {method} {path}");
        return found!;
    }
}

/// <summary>The in-memory exporter's collection, safe to read while spans of other requests are still exported.</summary>
internal sealed class ExportedSpans : ICollection<Activity>
{
    private readonly List<Activity> spans = [];

    public int Count => Snapshot().Count;

    public bool IsReadOnly => false;

    public List<Activity> Snapshot()
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    public void Add(Activity item)
    {
        lock (spans)
        {
            spans.Add(item);
        }
    }

    public void Clear()
    {
        lock (spans)
        {
            spans.Clear();
        }
    }

    public bool Contains(Activity item) => Snapshot().Contains(item);

    public void CopyTo(Activity[] array, int arrayIndex) => Snapshot().CopyTo(array, arrayIndex);

    public bool Remove(Activity item)
    {
        lock (spans)
        {
            return spans.Remove(item);
        }
    }

    public IEnumerator<Activity> GetEnumerator() => Snapshot().GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
