using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Infrastructure.Messaging;

namespace Mall.IntegrationTests.Platform;

public sealed class OutboxAndDueWorkTests
{
    public sealed record Thing(string Name);

    private static IntegrationEvent Event(string id) =>
        new(id, "ThingHappened", "thing", DateTimeOffset.UnixEpoch, new Dictionary<string, string>());

    [Fact]
    public async Task Events_are_relayed_right_after_the_write_and_removed_from_the_outbox()
    {
        var harness = await StorageHarness.CreateAsync();
        var things = harness.Collection<Thing>("Things");

        await things.InsertAsync(new DocumentKey("t", "1"), new Thing("a"), [Event("e1")], CancellationToken.None);

        Assert.Equal(["e1"], harness.Bus.Published.Select(e => e.Id));
        Assert.Empty((await things.FindAsync(new DocumentKey("t", "1"), CancellationToken.None))!.UnrelayedEvents);
        var summary = await harness.Processor().RunAsync([OutboxRelay.DueWorkKind], CancellationToken.None);
        Assert.Equal(0, summary.Done);
    }

    [Fact]
    public async Task Events_survive_a_failed_relay_and_later_writes_and_the_timer_delivers_them()
    {
        var harness = await StorageHarness.CreateAsync();
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        harness.Bus.Fail = true;

        var stored = await things.InsertAsync(key, new Thing("a"), [Event("e1")], CancellationToken.None);
        var current = await things.FindAsync(key, CancellationToken.None);
        await things.ReplaceAsync(current!, new Thing("b"), [Event("e2")], CancellationToken.None);

        Assert.Equal(["e1", "e2"], (await things.FindAsync(key, CancellationToken.None))!.UnrelayedEvents.Select(e => e.Id));
        Assert.Empty(harness.Bus.Published);

        harness.Bus.Fail = false;
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        var summary = await harness.Processor().RunAsync([OutboxRelay.DueWorkKind], CancellationToken.None);

        Assert.True(summary.Done >= 1);
        Assert.Equal(["e1", "e2"], harness.Bus.Published.Select(e => e.Id).Distinct());
        Assert.Empty((await things.FindAsync(key, CancellationToken.None))!.UnrelayedEvents);
        Assert.NotNull(stored);
    }

    [Fact]
    public async Task A_write_that_lost_its_race_publishes_nothing()
    {
        var harness = await StorageHarness.CreateAsync();
        var things = harness.Collection<Thing>("Things");
        var key = new DocumentKey("t", "1");
        var first = await things.InsertAsync(key, new Thing("a"), [], CancellationToken.None);
        await things.ReplaceAsync(first, new Thing("b"), [], CancellationToken.None);

        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => things.ReplaceAsync(first, new Thing("stale"), [Event("never")], CancellationToken.None));
        harness.Time.Advance(TimeSpan.FromMinutes(2));
        await harness.Processor().RunAsync([OutboxRelay.DueWorkKind], CancellationToken.None);

        Assert.DoesNotContain(harness.Bus.Published, e => e.Id == "never");
    }

    [Fact]
    public async Task Due_work_runs_when_due_moves_when_deferred_and_backs_off_when_failing()
    {
        var harness = await StorageHarness.CreateAsync();
        var calls = new List<string>();
        var attempts = 0;
        var handler = new DelegatingDueWorkHandler("Test", (work, _) =>
        {
            lock (calls)
            {
                calls.Add(work.Subject);
            }

            return work.Subject switch
            {
                "later" when calls.Count(c => c == "later") == 1 => Task.FromResult(DueWorkResult.Later(harness.Time.GetUtcNow().AddMinutes(5))),
                "flaky" when ++attempts == 1 => throw new InvalidOperationException("boom"),
                _ => Task.FromResult(DueWorkResult.Done),
            };
        });
        var processor = harness.Processor(handler);
        var now = harness.Time.GetUtcNow();
        foreach (var subject in new[] { "now", "later", "flaky" })
        {
            await harness.Scheduler.ScheduleAsync(new DueWork("Test", subject, now), CancellationToken.None);
        }

        await harness.Scheduler.ScheduleAsync(new DueWork("Test", "future", now.AddHours(1)), CancellationToken.None);

        var first = await processor.RunAsync(["Test"], CancellationToken.None);
        var again = await processor.RunAsync(["Test"], CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromMinutes(5));
        var afterFive = await processor.RunAsync(["Test"], CancellationToken.None);

        Assert.Equal((1, 1, 1), (first.Done, first.Deferred, first.Failed));
        Assert.Equal((0, 0, 0), (again.Done, again.Deferred, again.Failed));
        Assert.Equal(2, afterFive.Done);
        Assert.DoesNotContain("future", calls);
    }
}
