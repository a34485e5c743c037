using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Storage.Queues.Specialized;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>The event path end to end on Azurite: outbox write, announcement, dispatch, markers, retries and parking.</summary>
public sealed class EventDispatchTests
{
    public sealed record Thing(string Name);

    private static CustomerRegistered Registered(string customerId) => new(customerId, null) { OccurredAt = DateTimeOffset.UnixEpoch };

    /// <summary>A handler that counts its runs per event and fails while <see cref="FailuresLeft"/> is positive.</summary>
    private sealed class CountingHandler(string name)
    {
        public ConcurrentDictionary<string, int> Runs { get; } = new();

        public int FailuresLeft { get; set; }

        public EventSubscription Subscription => new(typeof(CustomerRegistered), name, async (e, _, _) =>
        {
            await Task.Yield();
            Runs.AddOrUpdate(e.Id, 1, (_, n) => n + 1);
            if (FailuresLeft-- > 0)
            {
                throw new InvalidOperationException($"{name} is down");
            }
        });
    }

    [Fact]
    public async Task Events_reach_handlers_and_the_bus_after_the_write_and_leave_the_outbox()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");

        await things.InsertAsync(key, new Thing("a"), [Registered("C1")], CancellationToken.None);
        Assert.Single((await things.FindAsync(key, CancellationToken.None))!.PendingEvents);
        Assert.Empty(harness.Bus.Published);

        await harness.Pump.DrainAsync();

        Assert.Equal(1, handler.Runs["customer:C1:registered"]);
        Assert.Equal(["customer:C1:registered"], harness.Bus.Published.Select(e => e.Id));
        Assert.Equal(nameof(CustomerRegistered), harness.Bus.Published[0].Type);
        Assert.Empty((await things.FindAsync(key, CancellationToken.None))!.PendingEvents);
    }

    [Fact]
    public async Task A_delivery_finished_once_is_not_repeated_when_the_event_comes_back_a_month_later()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var things = harness.Collection<Thing>("Things");
        await things.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);
        await harness.Pump.DrainAsync();

        // The same change raised again much later (a replayed webhook, a re-run, a restored backup).
        harness.Time.Advance(TimeSpan.FromDays(31));
        await things.InsertAsync(new DocumentKey("t", "2"), new Thing("b"), [Registered("C1")], CancellationToken.None);
        await harness.Pump.DrainAsync();

        Assert.Equal(1, handler.Runs["customer:C1:registered"]);
        Assert.Single(harness.Bus.Published);
        Assert.Empty((await things.FindAsync(new DocumentKey("t", "2"), CancellationToken.None))!.PendingEvents);
    }

    [Fact]
    public async Task Concurrent_dispatchers_of_one_outbox_run_each_handler_once()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        var events = Enumerable.Range(1, 5).Select(i => (IntegrationEvent)Registered($"C{i}")).ToList();
        await things.InsertAsync(key, new Thing("a"), events, CancellationToken.None);
        var request = new DispatchRequest([new OutboxAnnouncement(new OutboxAddress("Things", "t", "1"), events.Select(e => e.Id).ToList(), harness.Time.GetUtcNow())]);

        // Eight instances got the same announcement (the queue delivers at least once).
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => harness.Dispatcher.DispatchAsync(request, new EventContext(null!), CancellationToken.None))));
        await harness.Pump.DrainAsync();

        Assert.All(events, e => Assert.Equal(1, handler.Runs[e.Id]));
        Assert.Equal(5, harness.Bus.Published.Count);
        Assert.Equal(events.Select(e => e.Id).Order(), harness.Bus.Published.Select(e => e.Id).Order());
        Assert.Empty((await things.FindAsync(key, CancellationToken.None))!.PendingEvents);
    }

    [Fact]
    public async Task A_handler_that_keeps_failing_is_parked_without_holding_back_the_others_and_an_operator_retry_delivers_it()
    {
        var broken = new CountingHandler("Broken") { FailuresLeft = int.MaxValue };
        var healthy = new CountingHandler("Healthy");
        var harness = await StorageHarness.CreateAsync(new EventOptions { MaxAttempts = 3, RetryBaseDelay = TimeSpan.Zero }, broken.Subscription, healthy.Subscription);
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        await things.InsertAsync(key, new Thing("a"), [Registered("C1")], CancellationToken.None);

        await harness.Pump.DrainAsync();

        Assert.Equal(3, broken.Runs["customer:C1:registered"]);
        Assert.Equal(1, healthy.Runs["customer:C1:registered"]);
        Assert.Single(harness.Bus.Published);
        Assert.Empty((await things.FindAsync(key, CancellationToken.None))!.PendingEvents);
        var parked = Assert.Single((await harness.Dispatcher.ListParkedAsync(null, 10, CancellationToken.None)).Items);
        Assert.Equal(("customer:C1:registered", "Broken", 3), (parked.Event.Id, parked.Subscriber, parked.Attempts));
        Assert.Contains("Broken is down", parked.Error, StringComparison.Ordinal);

        broken.FailuresLeft = 0;
        var retried = await harness.Dispatcher.RetryParkedAsync(parked.Id, new EventContext(null!), CancellationToken.None);

        Assert.Equal(DeliveryState.Done, retried.State);
        Assert.Equal(4, broken.Runs["customer:C1:registered"]);
        Assert.Equal(1, healthy.Runs["customer:C1:registered"]);
        Assert.Empty((await harness.Dispatcher.ListParkedAsync(null, 10, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task A_failing_handler_holds_back_only_its_own_later_events_of_the_document()
    {
        var ordered = new CountingHandler("Ordered") { FailuresLeft = 1 };
        var other = new CountingHandler("Other");
        var harness = await StorageHarness.CreateAsync(new EventOptions { RetryBaseDelay = TimeSpan.FromMinutes(10) }, ordered.Subscription, other.Subscription);
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        await things.InsertAsync(key, new Thing("a"), [Registered("C1"), Registered("C2")], CancellationToken.None);

        await harness.Pump.DrainAsync();

        Assert.Equal(1, ordered.Runs["customer:C1:registered"]);
        Assert.False(ordered.Runs.ContainsKey("customer:C2:registered"));
        Assert.Equal([1, 1], new[] { other.Runs["customer:C1:registered"], other.Runs["customer:C2:registered"] });
        Assert.Equal(2, (await things.FindAsync(key, CancellationToken.None))!.PendingEvents.Count);

        // The retry is announced for later; when it is due, both events go through in order.
        harness.Time.Advance(TimeSpan.FromMinutes(10));
        await harness.Dispatcher.DispatchAsync(
            new DispatchRequest([new OutboxAnnouncement(new OutboxAddress("Things", "t", "1"), [], harness.Time.GetUtcNow())]), new EventContext(null!), CancellationToken.None);

        Assert.Equal([2, 1], new[] { ordered.Runs["customer:C1:registered"], ordered.Runs["customer:C2:registered"] });
        Assert.Equal([1, 1], new[] { other.Runs["customer:C1:registered"], other.Runs["customer:C2:registered"] });
        Assert.Empty((await things.FindAsync(key, CancellationToken.None))!.PendingEvents);
    }

    [Fact]
    public async Task A_write_that_lost_its_race_delivers_nothing_and_its_announcement_is_dropped_after_the_commit_wait()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        var first = await things.InsertAsync(key, new Thing("a"), [], CancellationToken.None);
        await things.ReplaceAsync(first, new Thing("b"), [], CancellationToken.None);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => things.ReplaceAsync(first, new Thing("stale"), [Registered("never")], CancellationToken.None));
        var announced = new DispatchRequest([new OutboxAnnouncement(new OutboxAddress("Things", "t", "1"), ["customer:never:registered"], harness.Time.GetUtcNow())]);
        await harness.Pump.DrainAsync();
        harness.Time.Advance(new EventOptions().CommitWait);
        await harness.Dispatcher.DispatchAsync(announced, new EventContext(null!), CancellationToken.None);

        Assert.Empty(handler.Runs);
        Assert.Empty(harness.Bus.Published);
        Assert.Equal(0, await harness.Pump.DrainAsync());
    }

    [Fact]
    public async Task An_announcement_that_arrives_before_its_write_commits_is_checked_again_until_the_event_is_there()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var stored = harness.Stored<Thing>("Things");
        var early = new DispatchRequest([new OutboxAnnouncement(new OutboxAddress("Things", "t", "1"), ["customer:C1:registered"], harness.Time.GetUtcNow())]);

        await harness.Dispatcher.DispatchAsync(early, new EventContext(null!), CancellationToken.None);
        await stored.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);
        Assert.Empty(handler.Runs);

        // The re-check was sent with a delay of at least a second; it arrives and finds the event.
        var drained = 0;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (handler.Runs.IsEmpty && DateTime.UtcNow < deadline)
        {
            drained += await harness.Pump.DrainAsync();
            await Task.Delay(100);
        }

        Assert.Equal(1, handler.Runs["customer:C1:registered"]);
        Assert.True(drained >= 1);
    }

    [Fact]
    public async Task An_outbox_whose_message_the_queue_trigger_gave_up_on_is_dispatched_after_the_redrive()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        // What the Functions host does after maxDequeueCount failures: the message moves to "{queue}-poison".
        var poison = harness.Queue.GetParentQueueServiceClient().GetQueueClient(harness.Queue.Name + "-poison");
        await poison.CreateIfNotExistsAsync();
        var message = Assert.Single((await harness.Queue.ReceiveMessagesAsync(maxMessages: 32)).Value);
        await poison.SendMessageAsync(message.Body);
        await harness.Queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        await harness.Pump.DrainAsync();
        Assert.Empty(handler.Runs);

        Assert.Equal(1, await harness.DispatchQueue.RedrivePoisonedAsync(CancellationToken.None));
        await harness.Pump.DrainAsync();

        Assert.Equal(1, handler.Runs["customer:C1:registered"]);
        Assert.Equal(0, (await poison.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    /// <summary>A document collection whose writes take longer than a third of the commit wait (storage retries).</summary>
    private sealed class SlowWrites<T>(IDocumentCollection<T> inner, FakeTimeProvider time, TimeSpan takes) : IDocumentCollection<T>
        where T : class
    {
        public async Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
        {
            time.Advance(takes);
            return await inner.InsertAsync(key, value, events, cancellationToken);
        }

        public Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken) => inner.FindAsync(key, cancellationToken);

        public Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) => inner.ReplaceAsync(current, value, events, cancellationToken);

        public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken) => inner.UpsertAsync(key, value, cancellationToken);

        public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) => inner.DeleteAsync(key, etag, cancellationToken);

        public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) => inner.QueryAsync(query, continuationToken, pageSize, cancellationToken);
    }

    [Fact]
    public async Task A_write_that_commits_late_is_announced_again_so_the_dispatcher_does_not_give_up_on_it()
    {
        var handler = new CountingHandler("Counter");
        var harness = await StorageHarness.CreateAsync(null, handler.Subscription);
        var options = new EventOptions();
        var things = new OutboxDocumentCollection<Thing>("Things", new SlowWrites<Thing>(harness.Stored<Thing>("Things"), harness.Time, options.CommitWait * 0.9), harness.DispatchQueue, options, harness.Time);

        await things.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Registered("C1")], CancellationToken.None);

        // The first announcement is as old as the commit wait by the time the dispatcher reads it; the second is fresh.
        var messages = (await harness.Queue.ReceiveMessagesAsync(maxMessages: 32)).Value;
        Assert.Equal(2, messages.Length);
        foreach (var message in messages)
        {
            await harness.Dispatcher.DispatchAsync(JsonSerializer.Deserialize<DispatchRequest>(message.Body.ToString(), MallJson.Options)!, new EventContext(null!), CancellationToken.None);
        }

        Assert.Equal(1, handler.Runs["customer:C1:registered"]);
    }
}
