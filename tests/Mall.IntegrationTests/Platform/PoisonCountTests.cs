using System.Diagnostics.Metrics;
using Azure;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// mall.events.poisoned after the issue-12 fix counts a parked event only when its parking is recorded (found by
/// review): a parking whose write stuck but whose answer was lost (a timeout, a 503 after the commit) is retried,
/// the retry meets the ETag the parking itself changed, and that is taken for a takeover that won. The event is
/// parked for good and never counted.
/// </summary>
public sealed class PoisonCountTests
{
    public sealed record Thing(string Name);

    [Fact]
    public async Task A_parked_event_whose_parking_write_committed_but_answered_an_error_is_counted_once()
    {
        var handler = new EventSubscription(typeof(CustomerRegistered), "Credit", (_, _, _) => throw new InvalidOperationException("always fails (test)"));
        var options = new EventOptions { MaxAttempts = 1, RetryBaseDelay = TimeSpan.Zero };
        var harness = await StorageHarness.CreateAsync(options, handler);
        var stored = harness.Collection<EventDelivery>("EventDeliveries");
        var answersLost = 0;
        var deliveries = new ScriptedCollection<EventDelivery>(stored)
        {
            // The first write of a parked outcome commits, but its caller gets a 503 instead of the answer.
            AfterReplace = (_, value) => value.State == DeliveryState.Parked && Interlocked.Increment(ref answersLost) == 1
                ? throw new RequestFailedException(503, "The operation timed out after the write (test)")
                : Task.CompletedTask,
        };
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var recorded = new RecordedMetrics(meters);
        var dispatcher = new EventDispatcher(
            new TableOutboxStore(harness.Tables),
            harness.DispatchQueue,
            deliveries,
            harness.Collection<ParkedEvent>("ParkedEvents"),
            new EventSubscriptions([handler]),
            harness.Bus,
            options,
            new MallMetrics(meters.GetRequiredService<IMeterFactory>()),
            harness.Time,
            NullLogger<EventDispatcher>.Instance);
        await harness.Collection<Thing>("Things").InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [new CustomerRegistered("C1", null) { OccurredAt = DateTimeOffset.UnixEpoch }], CancellationToken.None);

        await new EventPump(harness.Queue, dispatcher).DrainAsync();

        var delivery = await stored.FindAsync(EventDelivery.KeyFor("customer:C1:registered", "Credit"), CancellationToken.None);
        Assert.Equal(DeliveryState.Parked, delivery!.Value.State);
        Assert.Equal(1, answersLost);
        Assert.Equal(1, recorded.Sum("mall.events.poisoned"));
    }
}
