using Mall.Testing;
using System.Collections.Concurrent;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// Review of "Look again at deliveries running elsewhere once ours are recorded" (MaxPasses = 3):
/// the extra passes share the pass budget with the passes for events written meanwhile.
/// </summary>
public sealed class EventDispatchPassTests
{
    public sealed record Thing(string Name);

    private static readonly EventContext NoWorkflows = new(null!);

    private static CustomerRegistered Registered(string customerId) => new(customerId, null) { OccurredAt = DateTimeOffset.UnixEpoch };

    /// <summary>The dispatch queue, with the delay of every message sent through it.</summary>
    private sealed class RecordingQueue(IDispatchQueue inner) : IDispatchQueue
    {
        public ConcurrentQueue<TimeSpan> Delays { get; } = new();

        public Task SendAsync(DispatchRequest request, TimeSpan delay, CancellationToken cancellationToken)
        {
            Delays.Enqueue(delay);
            return inner.SendAsync(request, delay, cancellationToken);
        }

        public Task<int> RedrivePoisonedAsync(CancellationToken cancellationToken) => inner.RedrivePoisonedAsync(cancellationToken);
    }

    /// <summary>Handlers of one instance ("X.Segment.customer:C2:registered"): an armed key waits at its gate.</summary>
    private sealed class Gates
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> entered = new();
        private readonly ConcurrentDictionary<string, TaskCompletionSource> released = new();
        private readonly ConcurrentDictionary<string, bool> armed = new();

        public ConcurrentQueue<string> Runs { get; } = new();

        public void Arm(string key) => armed[key] = true;

        public Task Entered(string key) => Get(entered, key).Task.WaitAsync(TimeSpan.FromSeconds(30));

        public void Release(string key) => Get(released, key).TrySetResult();

        public EventSubscription Handler(string instance, string name) => new(typeof(CustomerRegistered), name, async (e, _, _) =>
        {
            var key = $"{instance}.{name}.{e.Id}";
            Runs.Enqueue(key);
            if (armed.ContainsKey(key))
            {
                Get(entered, key).TrySetResult();
                await Get(released, key).Task;
            }
        });

        private static TaskCompletionSource Get(ConcurrentDictionary<string, TaskCompletionSource> set, string key) =>
            set.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private static EventDispatcher Instance(StorageHarness harness, IDispatchQueue queue, Gates gates, string instance) =>
        new(
            new TableOutboxStore(harness.Tables),
            queue,
            harness.Collection<EventDelivery>("EventDeliveries"),
            harness.Collection<ParkedEvent>("ParkedEvents"),
            new EventSubscriptions([gates.Handler(instance, "Ledger"), gates.Handler(instance, "Segment")]),
            harness.Bus,
            new EventOptions { RetryBaseDelay = TimeSpan.Zero },
            TestMetrics.Create(),
            harness.Time,
            NullLogger<EventDispatcher>.Instance);

    private static DispatchRequest Announce(StorageHarness harness, string rowKey, params string[] eventIds) =>
        new([new OutboxAnnouncement(new OutboxAddress("Things", "t", rowKey), eventIds, harness.Time.GetUtcNow())]);

    /// <summary>
    /// A busy document: writes keep adding events while instance X dispatches it. X's first two
    /// passes go to the events written meanwhile (C2, then C3), so its third and last pass is the
    /// one in which it finds C3's Ledger running on instance Y and runs C3's Segment itself. Y
    /// finishes first and, re-checking, finds X's Segment running; X finishes last with no pass
    /// left to re-check. Both leave C3 in the outbox, every delivery done, and look again only at
    /// the lease's end: the 15-minute wait the change was meant to remove.
    /// </summary>
    [Fact]
    public async Task The_instance_that_finishes_last_in_its_last_pass_still_leaves_a_drained_outbox_for_the_lease()
    {
        var harness = await StorageHarness.CreateAsync();
        var queue = new RecordingQueue(harness.DispatchQueue);
        var gates = new Gates();
        var x = Instance(harness, queue, gates, "X");
        var y = Instance(harness, queue, gates, "Y");
        var stored = harness.Stored<Thing>("Things");
        var key = new DocumentKey("t", "1");
        await stored.InsertAsync(key, new Thing("a"), [Registered("C1")], CancellationToken.None);
        const string C1 = "customer:C1:registered", C2 = "customer:C2:registered", C3 = "customer:C3:registered";
        gates.Arm($"X.Segment.{C1}");
        gates.Arm($"X.Segment.{C2}");
        gates.Arm($"Y.Ledger.{C3}");
        gates.Arm($"X.Segment.{C3}");

        // Pass 1 of X: C1. C2 is written meanwhile (its announcement is X's too: same request batch).
        var runX = Task.Run(() => x.DispatchAsync(Announce(harness, "1", C1), NoWorkflows, CancellationToken.None));
        await gates.Entered($"X.Segment.{C1}");
        await stored.ReplaceAsync((await stored.FindAsync(key, CancellationToken.None))!, new Thing("b"), [Registered("C2")], CancellationToken.None);
        gates.Release($"X.Segment.{C1}");

        // Pass 2 of X: C2. C3 is written meanwhile; instance Y takes the announcements of C2 and C3.
        await gates.Entered($"X.Segment.{C2}");
        await stored.ReplaceAsync((await stored.FindAsync(key, CancellationToken.None))!, new Thing("c"), [Registered("C3")], CancellationToken.None);
        var runY = Task.Run(() => y.DispatchAsync(Announce(harness, "1", C2, C3), NoWorkflows, CancellationToken.None));
        await gates.Entered($"Y.Ledger.{C3}");
        gates.Release($"X.Segment.{C2}");

        // Pass 3 of X: C3's Ledger is running on Y; X runs C3's Segment.
        await gates.Entered($"X.Segment.{C3}");

        // Y finishes first (and finds X's Segment running); then X finishes.
        gates.Release($"Y.Ledger.{C3}");
        await runY;
        gates.Release($"X.Segment.{C3}");
        await runX;

        // Whatever is due now is looked at now (the delayed follow-ups stay invisible).
        await harness.Pump.DrainAsync();

        var left = (await stored.FindAsync(key, CancellationToken.None))!.PendingEvents.Select(e => e.Id).ToList();
        var doubled = gates.Runs.GroupBy(r => r[(r.IndexOf('.') + 1)..]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(
            left.Count == 0,
            $"still in the outbox with every delivery done: [{string.Join(", ", left)}]; published {harness.Bus.Published.Count}/3; "
            + $"handlers run twice: [{string.Join(", ", doubled)}]; follow-ups sent with delays: [{string.Join(", ", queue.Delays.Select(d => $"{d.TotalSeconds:0}s"))}]; "
            + $"runs: {string.Join(", ", gates.Runs)}");
    }
}
