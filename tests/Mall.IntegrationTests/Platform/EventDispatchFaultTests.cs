using System.Collections.Concurrent;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Catalog;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Segmentation;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// The event path under faults: storage errors, cancellation, concurrent instances, unreadable events,
/// lagging dispatch. Written by an adversarial review of the first version, each failed on it.
/// </summary>
public sealed class EventDispatchFaultTests
{
    public sealed record Thing(string Name);

    private static readonly EventContext NoWorkflows = new(null!);

    private static CustomerRegistered Registered(string customerId) => new(customerId, null) { OccurredAt = DateTimeOffset.UnixEpoch };

    private static EventSubscription Counting(string name, ConcurrentDictionary<string, int> runs, Func<IntegrationEvent, CancellationToken, Task>? body = null) =>
        new(typeof(CustomerRegistered), name, async (e, _, ct) =>
        {
            await Task.Yield();
            runs.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            if (body is not null)
            {
                await body(e, ct);
            }
        });

    private static EventDispatcher DispatcherOver(StorageHarness harness, IDocumentCollection<EventDelivery> deliveries, EventOptions options, params EventSubscription[] subscriptions) =>
        new(
            new TableOutboxStore(harness.Tables),
            harness.DispatchQueue,
            deliveries,
            harness.Collection<ParkedEvent>("ParkedEvents"),
            new EventSubscriptions(subscriptions),
            harness.Bus,
            options,
            TestMetrics.Create(),
            harness.Time,
            NullLogger<EventDispatcher>.Instance);

    private static DispatchRequest Announce(StorageHarness harness, string rowKey, params string[] eventIds) =>
        new([new OutboxAnnouncement(new OutboxAddress("Things", "t", rowKey), eventIds, harness.Time.GetUtcNow())]);

    private static async Task<int> PendingAsync(StorageHarness harness, string rowKey) =>
        (await harness.Stored<Thing>("Things").FindAsync(new DocumentKey("t", rowKey), CancellationToken.None))!.PendingEvents.Count;

    /// <summary>Deliveries whose next <paramref name="failures"/> outcome writes (a replace to anything but Running) fail, like a storage 503.</summary>
    private static ScriptedCollection<EventDelivery> FlakyOutcomeWrites(IDocumentCollection<EventDelivery> inner, int failures) => new(inner)
    {
        BeforeReplace = (_, value) => value.State != DeliveryState.Running && Interlocked.Decrement(ref failures) >= 0
            ? throw new RequestFailedException(503, "Server busy (test)")
            : Task.CompletedTask,
    };

    private static async Task<int> QueuedAsync(StorageHarness harness) => (await harness.Queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;

    [Fact]
    public async Task An_outcome_write_that_fails_once_is_retried_and_the_handler_runs_once()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var handler = Counting("Credit", runs);
        var harness = await StorageHarness.CreateAsync(null, handler);
        var flaky = FlakyOutcomeWrites(harness.Collection<EventDelivery>("EventDeliveries"), failures: 1);
        var dispatcher = DispatcherOver(harness, flaky, new EventOptions { RetryBaseDelay = TimeSpan.Zero }, handler);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        await new EventPump(harness.Queue, dispatcher).DrainAsync();

        Assert.Equal(1, runs["customer:C1:registered"]);
        Assert.Single(harness.Bus.Published);
        Assert.Equal(0, await PendingAsync(harness, "1"));
    }

    [Fact]
    public async Task An_event_whose_outcome_cannot_be_recorded_is_still_delivered_once_the_lease_has_run_out()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var handler = Counting("Credit", runs);
        var harness = await StorageHarness.CreateAsync(null, handler);
        var flaky = FlakyOutcomeWrites(harness.Collection<EventDelivery>("EventDeliveries"), failures: 3);
        var options = new EventOptions { RetryBaseDelay = TimeSpan.Zero };
        var dispatcher = DispatcherOver(harness, flaky, options, handler);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        // Storage refuses the outcome three times: the marker stays Running; the outbox is looked at again later.
        await new EventPump(harness.Queue, dispatcher).DrainAsync();
        Assert.Equal(1, await PendingAsync(harness, "1"));
        Assert.True(await QueuedAsync(harness) >= 1, "a follow-up for the end of the lease is on the queue");

        // The follow-up arrives after the lease: the delivery is taken over and finishes.
        harness.Time.Advance(options.Lease + TimeSpan.FromMinutes(1));
        await dispatcher.DispatchAsync(Announce(harness, "1"), NoWorkflows, CancellationToken.None);

        Assert.Single(harness.Bus.Published);
        Assert.Equal(0, await PendingAsync(harness, "1"));
        Assert.InRange(runs["customer:C1:registered"], 1, 2);
    }

    /// <summary>What every deployment or scale-in does: the invocation's token is cancelled mid-handler.</summary>
    [Fact]
    public async Task An_event_whose_dispatch_was_cancelled_by_host_shutdown_is_delivered_when_the_message_comes_back()
    {
        var runs = new ConcurrentDictionary<string, int>();
        using var shutdown = new CancellationTokenSource();
        var handler = Counting("Credit", runs, async (_, ct) =>
        {
            if (runs.Values.Sum() == 1)
            {
                await shutdown.CancelAsync();
                ct.ThrowIfCancellationRequested();
            }
        });
        var harness = await StorageHarness.CreateAsync(null, handler);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);
        var message = Assert.Single((await harness.Queue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        var request = JsonSerializer.Deserialize<DispatchRequest>(message.Body.ToString(), MallJson.Options)!;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Dispatcher.DispatchAsync(request, NoWorkflows, shutdown.Token));
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.Dispatcher.DispatchAsync(request, NoWorkflows, CancellationToken.None);
        await harness.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        harness.Time.Advance(TimeSpan.FromHours(1));
        await harness.Pump.DrainAsync();

        Assert.True(harness.Bus.Published.Count == 1 && await PendingAsync(harness, "1") == 0,
            $"handler runs {runs.GetValueOrDefault("customer:C1:registered")}, published {harness.Bus.Published.Count}, still in outbox {await PendingAsync(harness, "1")}");
    }

    /// <summary>Reads of one outbox fail once (a storage timeout).</summary>
    private sealed class FlakyOutboxRead(IOutboxStore inner, string rowKey) : IOutboxStore
    {
        private int failed;

        public Task<OutboxContents?> ReadAsync(OutboxAddress address, CancellationToken cancellationToken) =>
            address.RowKey == rowKey && Interlocked.Exchange(ref failed, 1) == 0
                ? Task.Delay(20, CancellationToken.None).ContinueWith<OutboxContents?>(_ => throw new RequestFailedException(500, "Operation timed out (test)"), TaskScheduler.Default)
                : inner.ReadAsync(address, cancellationToken);

        public Task<IReadOnlyList<EventEnvelope>> RemoveAsync(OutboxAddress address, OutboxContents read, IReadOnlySet<string> eventIds, CancellationToken cancellationToken) =>
            inner.RemoveAsync(address, read, eventIds, cancellationToken);
    }

    /// <summary>One outbox's transient error is that outbox's: its siblings in the message are delivered, and it is tried again on its own.</summary>
    [Fact]
    public async Task One_transient_error_in_a_message_does_not_strand_the_other_outboxes_of_that_message()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var handler = Counting("Credit", runs, (_, ct) => Task.Delay(200, ct));
        var harness = await StorageHarness.CreateAsync(null, handler);
        var options = new EventOptions { RetryBaseDelay = TimeSpan.Zero };
        var dispatcher = new EventDispatcher(
            new FlakyOutboxRead(new TableOutboxStore(harness.Tables), "doc7"),
            harness.DispatchQueue,
            harness.Collection<EventDelivery>("EventDeliveries"),
            harness.Collection<ParkedEvent>("ParkedEvents"),
            new EventSubscriptions([handler]),
            harness.Bus,
            options,
            TestMetrics.Create(),
            harness.Time,
            NullLogger<EventDispatcher>.Instance);
        var stored = harness.Stored<Thing>("Things");
        var announcements = new List<OutboxAnnouncement>();
        for (var i = 0; i < 12; i++)
        {
            await stored.InsertAsync(new DocumentKey("t", $"doc{i}"), new Thing("x"), [Registered($"D{i}")], CancellationToken.None);
            announcements.Add(new(new OutboxAddress("Things", "t", $"doc{i}"), [$"customer:D{i}:registered"], harness.Time.GetUtcNow()));
        }

        await dispatcher.DispatchAsync(new DispatchRequest(announcements), NoWorkflows, CancellationToken.None);
        await new EventPump(harness.Queue, dispatcher).DrainAsync();

        var stuck = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            if (await PendingAsync(harness, $"doc{i}") > 0)
            {
                stuck.Add($"doc{i}");
            }
        }

        Assert.True(stuck.Count == 0, $"outboxes never dispatched: {stuck.Count}/12 ({string.Join(", ", stuck)}); published {harness.Bus.Published.Count}/12");
    }

    [Fact]
    public async Task An_operator_retry_that_was_aborted_can_be_retried_again_and_the_delivery_is_not_forgotten()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var mode = "fail";
        CancellationTokenSource? aborted = null;
        var handler = Counting("Broken", runs, async (_, ct) =>
        {
            switch (mode)
            {
                case "fail":
                    throw new InvalidOperationException("down");
                case "abort":
                    await aborted!.CancelAsync();
                    ct.ThrowIfCancellationRequested();
                    break;
            }
        });
        var harness = await StorageHarness.CreateAsync(new EventOptions { MaxAttempts = 1, RetryBaseDelay = TimeSpan.Zero }, handler);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);
        await harness.Pump.DrainAsync();
        var parked = Assert.Single((await harness.Dispatcher.ListParkedAsync(null, 10, CancellationToken.None)).Items);

        // The operator clicks retry; the browser tab is closed while it runs (RequestAborted).
        mode = "abort";
        aborted = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => harness.Dispatcher.RetryParkedAsync(parked.Id, NoWorkflows, aborted.Token));

        // The operator clicks retry again (now, or after the lease: same result).
        mode = "ok";
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        var second = await harness.Dispatcher.RetryParkedAsync(parked.Id, NoWorkflows, CancellationToken.None);
        var stillListed = (await harness.Dispatcher.ListParkedAsync(null, 10, CancellationToken.None)).Items.Count;
        await harness.Pump.DrainAsync();

        Assert.True(second.State == DeliveryState.Done || stillListed == 1,
            $"second retry returned {second.State}, parked listings left: {stillListed}, handler ran OK: {runs["customer:C1:registered"] > 2}");
    }

    [Fact]
    public async Task A_subscriber_never_sees_a_later_event_of_a_document_while_an_earlier_one_is_still_running()
    {
        var log = new ConcurrentQueue<string>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new EventSubscription(typeof(CustomerRegistered), "Ordered", async (e, _, _) =>
        {
            log.Enqueue("start " + e.Id);
            if (e.Id == "customer:C1:registered")
            {
                started.TrySetResult();
                await release.Task;
            }

            log.Enqueue("end " + e.Id);
        });
        var harness = await StorageHarness.CreateAsync(null, handler);
        var stored = harness.Stored<Thing>("Things");
        var first = await stored.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        // Instance A dispatches the first write's announcement; its handler is slow.
        var a = Task.Run(() => harness.Dispatcher.DispatchAsync(Announce(harness, "1", "customer:C1:registered"), NoWorkflows, CancellationToken.None));
        await started.Task;

        // A second write to the same document; instance B gets its announcement.
        await stored.ReplaceAsync((await stored.FindAsync(first.Key, CancellationToken.None))!, new Thing("b"), [Registered("C2")], CancellationToken.None);
        await harness.Dispatcher.DispatchAsync(Announce(harness, "1", "customer:C2:registered"), NoWorkflows, CancellationToken.None);
        release.SetResult();
        await a;

        var handlerOrder = string.Join(", ", log);
        var busOrder = string.Join(", ", harness.Bus.Published.Select(e => e.Id));
        Assert.True(
            handlerOrder == "start customer:C1:registered, end customer:C1:registered, start customer:C2:registered, end customer:C2:registered"
            && busOrder == "customer:C1:registered, customer:C2:registered",
            $"handler saw: {handlerOrder}; bus published: {busOrder}");
    }

    [Fact]
    public async Task An_unreadable_event_holds_back_neither_its_own_outbox_nor_unrelated_outboxes_of_the_same_message()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var handler = Counting("Counter", runs);
        var harness = await StorageHarness.CreateAsync(null, handler);
        var stored = harness.Stored<Thing>("Things");

        // The "bad" document: a segment event written by a newer version (segment "vip"), then a normal one.
        var changed = new CustomerSegmentChanged("X", CustomerSegment.Regular, CustomerSegment.Active, "2026-11-25") { OccurredAt = harness.Time.GetUtcNow() };
        await stored.InsertAsync(new DocumentKey("t", "bad"), new Thing("bad"), [changed, Registered("B1")], CancellationToken.None);
        var table = await harness.Tables.GetAsync("Things", CancellationToken.None);
        var entity = (await table.GetEntityAsync<TableEntity>("t", "bad")).Value;
        entity["Outbox"] = ((string)entity["Outbox"]).Replace("\"to\":\"active\"", "\"to\":\"vip\"", StringComparison.Ordinal);
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge);

        var announcements = new List<OutboxAnnouncement> { new(new OutboxAddress("Things", "t", "bad"), [changed.Id, "customer:B1:registered"], harness.Time.GetUtcNow()) };
        for (var i = 0; i < 60; i++)
        {
            await stored.InsertAsync(new DocumentKey("t", $"good{i}"), new Thing("good"), [Registered($"G{i}")], CancellationToken.None);
            announcements.Add(new(new OutboxAddress("Things", "t", $"good{i}"), [$"customer:G{i}:registered"], harness.Time.GetUtcNow()));
        }

        // The queue trigger's 5 dequeues, then the redrive and 5 more (time moves past the lease between rounds).
        var request = new DispatchRequest(announcements);
        var failures = 0;
        var errors = new HashSet<string>();
        for (var attempt = 0; attempt < 10; attempt++)
        {
            harness.Time.Advance(TimeSpan.FromMinutes(attempt == 5 ? 15 : 1));
            try
            {
                await harness.Dispatcher.DispatchAsync(request, NoWorkflows, CancellationToken.None);
            }
            catch (Exception exception)
            {
                failures++;
                errors.Add(exception.GetType().Name + ": " + exception.Message[..Math.Min(120, exception.Message.Length)]);
            }
        }

        var stuck = 0;
        for (var i = 0; i < 60; i++)
        {
            stuck += await PendingAsync(harness, $"good{i}") > 0 ? 1 : 0;
        }

        var doubled = runs.Count(r => r.Value > 1);
        Assert.True(stuck == 0 && runs.ContainsKey("customer:B1:registered") && doubled == 0,
            $"{failures}/10 invocations failed; unrelated outboxes still undelivered: {stuck}/60; B1 (after the bad event, same outbox) delivered: {runs.ContainsKey("customer:B1:registered")}; handlers run more than once: {doubled}; errors: {string.Join(" | ", errors)}");
    }

    /// <summary>A type this version does not know (written by the next version during a rolling deploy) is published and dropped: the next version's handlers never get it.</summary>
    [Fact]
    public async Task An_event_of_a_type_this_version_does_not_know_stays_for_a_version_that_does()
    {
        var harness = await StorageHarness.CreateAsync();
        var stored = harness.Stored<Thing>("Things");
        await stored.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);
        var table = await harness.Tables.GetAsync("Things", CancellationToken.None);
        var entity = (await table.GetEntityAsync<TableEntity>("t", "1")).Value;
        entity["Outbox"] = ((string)entity["Outbox"]).Replace("\"type\":\"CustomerRegistered\"", "\"type\":\"CustomerVerified\"", StringComparison.Ordinal);
        await table.UpdateEntityAsync(entity, entity.ETag, TableUpdateMode.Merge);

        await harness.Dispatcher.DispatchAsync(Announce(harness, "1", "customer:C1:registered"), NoWorkflows, CancellationToken.None);

        Assert.Equal(1, await PendingAsync(harness, "1"));
    }

    [Fact]
    public async Task A_fast_subscriber_queued_behind_a_slow_one_runs_once()
    {
        var slowRuns = new ConcurrentDictionary<string, int>();
        var fastRuns = new ConcurrentDictionary<string, int>();
        var slowStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        StorageHarness? harness = null;
        var slow = Counting("Slow", slowRuns, async (_, _) =>
        {
            if (slowRuns.Values.Sum() == 1)
            {
                harness!.Time.Advance(TimeSpan.FromMinutes(6)); // the slow handler takes 6 minutes (function timeout is 10)
                slowStarted.TrySetResult();
                await release.Task;
            }
        });
        var fast = Counting("Fast", fastRuns);
        harness = await StorageHarness.CreateAsync(null, slow, fast);
        await harness.Stored<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        var a = Task.Run(() => harness.Dispatcher.DispatchAsync(Announce(harness, "1", "customer:C1:registered"), NoWorkflows, CancellationToken.None));
        await slowStarted.Task;
        await harness.Dispatcher.DispatchAsync(Announce(harness, "1", "customer:C1:registered"), NoWorkflows, CancellationToken.None);
        release.SetResult();
        await a;

        Assert.True(fastRuns["customer:C1:registered"] == 1 && harness.Bus.Published.Count == 1,
            $"Fast ran {fastRuns["customer:C1:registered"]} times, the bus published {harness.Bus.Published.Count} times, Slow ran {slowRuns["customer:C1:registered"]} times");
    }

    /// <summary>
    /// Soak run 12:58 (docs/benchmarks.md, Soak, finding 1): two instances on one outbox, each running
    /// one subscriber's delivery while the other's was running, each found the other's delivery
    /// Running, left the events and looked again only at the lease's end (15 minutes).
    /// </summary>
    [Fact]
    public async Task Two_instances_each_running_a_delivery_of_one_outbox_leave_it_empty_when_both_are_done()
    {
        var gates = new ConcurrentDictionary<string, TaskCompletionSource>();
        var entered = new ConcurrentDictionary<string, TaskCompletionSource>();
        TaskCompletionSource Gate(ConcurrentDictionary<string, TaskCompletionSource> set, string name) =>
            set.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        EventSubscription Held(string name) => new(typeof(CustomerRegistered), name, async (e, _, _) =>
        {
            if (e.Id == "customer:C1:registered")
            {
                Gate(entered, name).TrySetResult();
                await Gate(gates, name).Task;
            }
        });
        var ledger = Held("Ledger");
        var segment = Held("Segment");
        var harness = await StorageHarness.CreateAsync(null, ledger, segment);
        await harness.Stored<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1"), Registered("C2")], CancellationToken.None);
        var announcement = Announce(harness, "1", "customer:C1:registered", "customer:C2:registered");

        // Instance A runs C1's Ledger delivery; instance B, finding it running, runs C1's Segment delivery.
        var a = Task.Run(() => harness.Dispatcher.DispatchAsync(announcement, NoWorkflows, CancellationToken.None));
        await Gate(entered, "Ledger").Task;
        var b = Task.Run(() => harness.Dispatcher.DispatchAsync(announcement, NoWorkflows, CancellationToken.None));
        await Gate(entered, "Segment").Task;

        // A finishes while B's delivery is still running; then B finishes.
        Gate(gates, "Ledger").SetResult();
        await a;
        Gate(gates, "Segment").SetResult();
        await b;

        var left = await PendingAsync(harness, "1");
        Assert.True(left == 0, $"{left} events still in the outbox with every delivery done; published {harness.Bus.Published.Count}/2");
    }

    [Fact]
    public async Task An_operator_can_save_a_product_again_with_the_version_the_last_save_returned()
    {
        await using var mall = await MallFixture.StartAsync();
        var admin = mall.Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var created = await admin.CreateProductAsync(new ProductRequest { Title = "Longjing", CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = [new SkuRequest { Name = "50g", PriceFen = 5_000, Enabled = true, InitialStock = 10 }] }, CancellationToken.None);

        // The storefront list follows from ProductChanged (the dispatcher runs in the background).
        await mall.Events.DrainAsync();

        var sku = created.Product.Skus[0];
        var edit = new ProductRequest { Title = "Longjing 2026", CategoryId = "tea", Tags = [], Status = ProductStatus.OnSale, Skus = [new SkuRequest { SkuId = sku.Id, Name = "50g", PriceFen = 5_000, Enabled = true }] };
        var saved = await admin.SaveProductAsync(created.Product.Id, edit, created.Version, CancellationToken.None);

        Assert.Equal("Longjing 2026", saved.Product.Title);
    }

    [Fact]
    public async Task A_group_whose_members_all_paid_before_the_deadline_succeeds_even_if_dispatch_lags()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var workflows = new RecordingWorkflows();
        var events = EventPump.For(mall.Services, workflows);
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var groupBuys = mall.Get<Mall.Application.GroupBuy.GroupBuyService>();
        var campaign = await groupBuys.CreateCampaignAsync(new Mall.Application.GroupBuy.GroupBuyCampaignRequest { SkuId = product.Skus[0].Id, GroupPriceFen = 3_000, GroupSize = 2, TimeLimitSeconds = 600, MaxGroups = 10, EndsAt = time.GetUtcNow().AddDays(1) }, CancellationToken.None);
        var address = MallFixture.Buy(product.Skus[0].Id, 1).Address;
        var leader = await mall.NewCustomerAsync();
        var member = await mall.NewCustomerAsync();
        var opened = await groupBuys.OpenAsync(leader, "k1", new Mall.Application.GroupBuy.OpenGroupRequest(campaign.Id, address), CancellationToken.None);
        await events.DrainAsync();
        var joined = await groupBuys.JoinAsync(member, opened.Group.Id, new Mall.Application.GroupBuy.GroupOrderRequest(address), CancellationToken.None);

        // Both pay well inside the 10-minute window; WeChat's notifications arrive and are written.
        await mall.PayAsync(leader, opened.Order.Id);
        await mall.PayAsync(member, joined.Order.Id);

        // The deadline timer fires before the dispatcher has delivered the two OrderPaid events
        // (queue polling, six OrderPaid subscribers run one after another, or a 10 s / 1 min retry).
        time.Advance(TimeSpan.FromMinutes(11));
        var closing = await groupBuys.FailAtDeadlineAsync(opened.Group.Id, CancellationToken.None);
        await events.DrainAsync();

        var group = await groupBuys.GetAsync(opened.Group.Id, null, CancellationToken.None);
        Assert.True(group.Status == Mall.Domain.GroupBuy.GroupStatus.Succeeded,
            $"group {group.Status} (deadline activity said {closing.Status}); refunds sent to WeChat: {mall.Environment.Sandbox.Refunds.Count}");
    }
}
