using Mall.Application.Platform;

namespace Mall.IntegrationTests.Platform;

public sealed class DueWorkTests
{
    [Fact]
    public async Task Due_work_runs_when_due_moves_when_deferred_and_backs_off_when_failing()
    {
        var harness = await StorageHarness.CreateAsync();
        var calls = new List<string>();
        var attempts = 0;
        var handler = new DelegatingDueWorkHandler("Test", DueWorkSubject.Business, (work, _) =>
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
