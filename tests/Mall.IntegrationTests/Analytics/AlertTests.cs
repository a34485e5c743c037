using Azure.Storage.Queues;
using Mall.Application.Analytics;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Domain.Analytics;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Analytics;

/// <summary>
/// Alerts on real Azurite with time moved through whole episodes: raised once while the condition
/// holds, escalated once when nobody acknowledges within 2 hours, resolved when it clears, published
/// through the outbox; a wake-up rule starts the reactivation campaign.
/// </summary>
public sealed class AlertTests
{
    /// <summary>2026-12-01 00:20 UTC (08:20 CST).</summary>
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 20, 0, TimeSpan.Zero);

    private static async Task SendAsync(MallFixture mall, int visitors, int pageViewsEach, string tag)
    {
        var ingestion = mall.Get<EventIngestion>();
        var now = mall.Get<TimeProvider>().GetUtcNow();
        await Task.WhenAll(Enumerable.Range(0, visitors).Select(v => ingestion.RecordAsync(
            null,
            new EventBatchRequest($"dev-{tag}-{v}", [.. Enumerable.Range(0, pageViewsEach).Select(n => new EventInput($"{tag}-{v}-{n}", "page_view", now, null, null))]),
            CancellationToken.None)));
    }

    private static async Task<IReadOnlyList<AlertView>> EvaluateAsync(MallFixture mall)
    {
        await mall.Get<AnalyticsFigures>().CloseAsync(CancellationToken.None);
        var changed = await mall.Get<AlertService>().EvaluateAsync(CancellationToken.None);
        await mall.Events.DrainAsync();
        return changed;
    }

    private static async Task<IReadOnlyList<string>> PublishedAsync(MallFixture mall, string type)
    {
        var queue = new QueueClient(mall.Get<StorageOptions>().ConnectionString, mall.Environment.Settings["Messaging:QueueName"]!);
        var peeked = (await queue.PeekMessagesAsync(32)).Value;
        return peeked.Select(m => m.Body.ToString()).Where(body => body.Contains($"\"type\":\"{type}\"", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task Low_traffic_quality_for_six_hours_raises_once_escalates_once_after_two_hours_and_resolves_when_it_clears()
    {
        var time = new FakeTimeProvider(Start);
        await using var mall = await MallFixture.StartAsync(time);
        var timeline = new List<string>();

        // Hours 0–7: 10 visitors, 6 page views each (UV/PV 0.17 < 0.3); evaluated every 10 minutes.
        for (var hour = 0; hour < 10; hour++)
        {
            if (hour < 8)
            {
                await SendAsync(mall, 10, 6, $"h{hour}");
            }
            else if (hour == 8)
            {
                // Hour 8 is healthy: 60 visitors, one page view each.
                await SendAsync(mall, 60, 1, $"h{hour}");
            }

            for (var tick = 0; tick < 6; tick++)
            {
                time.Advance(TimeSpan.FromMinutes(10));
                timeline.AddRange((await EvaluateAsync(mall)).Where(a => a.RuleId == "uv-pv-ratio").Select(a => $"{time.GetUtcNow():HH:mm} {a.State}"));
            }
        }

        // Hours 0–5 are all closed (and below 0.3) at 06:15; escalation 2 hours later; hour 8 closes at 09:15.
        Assert.Equal(["06:20 Raised", "08:20 Escalated", "09:20 Resolved"], timeline);
        Assert.Single(await PublishedAsync(mall, nameof(AlertRaised)));
        Assert.Single(await PublishedAsync(mall, nameof(AlertEscalated)));
        Assert.Single(await PublishedAsync(mall, nameof(AlertResolved)));
        var listed = await mall.Get<AlertService>().ListAsync(openOnly: false, CancellationToken.None);
        Assert.Equal("Resolved", Assert.Single(listed, a => a.RuleId == "uv-pv-ratio").State);
    }

    [Fact]
    public async Task An_alert_acknowledged_in_time_never_escalates_and_racing_timers_raise_it_once()
    {
        var time = new FakeTimeProvider(Start);
        await using var mall = await MallFixture.StartAsync(time);
        for (var hour = 0; hour < 6; hour++)
        {
            await SendAsync(mall, 10, 6, $"h{hour}");
            time.Advance(TimeSpan.FromHours(1));
        }

        await mall.Get<AnalyticsFigures>().CloseAsync(CancellationToken.None);
        var racing = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => mall.Get<AlertService>().EvaluateAsync(CancellationToken.None))));
        var raised = Assert.Single(racing.SelectMany(r => r), a => a.RuleId == "uv-pv-ratio");

        time.Advance(TimeSpan.FromMinutes(90));
        var acknowledged = await mall.Get<AlertService>().AcknowledgeAsync(raised.Id, "night-shift", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(3));
        await EvaluateAsync(mall);

        Assert.Equal(("Acknowledged", "night-shift"), (acknowledged.State, acknowledged.AcknowledgedBy));
        Assert.Single(await PublishedAsync(mall, nameof(AlertRaised)));
        Assert.Empty(await PublishedAsync(mall, nameof(AlertEscalated)));
        var error = await Assert.ThrowsAsync<Mall.Domain.Common.DomainException>(() => mall.Get<AlertService>().AcknowledgeAsync("no-such-alert", "night-shift", CancellationToken.None));
        Assert.Equal(Mall.Domain.Common.ErrorCode.NotFound, error.Code);
    }

    [Fact]
    public async Task Revisits_below_8_percent_for_three_days_raise_an_alert_that_starts_the_wake_up_campaign()
    {
        // Days 1–7 (CST): the same 100 visitors every day, each opening a session. Days 8–10: only 5 of
        // them come back (5% of the week before), without opening a session.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero));
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var raisedOn = new List<string>();
        for (var day = 1; day <= 10; day++)
        {
            var now = time.GetUtcNow();
            await Task.WhenAll(Enumerable.Range(0, day <= 7 ? 100 : 5).Select(v => ingestion.RecordAsync(
                null,
                new EventBatchRequest($"dev-{v}", day <= 7
                    ? [new EventInput($"open-{day}-{v}", "session_open", now, null, null), new EventInput($"view-{day}-{v}", "page_view", now, null, null)]
                    : [new EventInput($"view-{day}-{v}", "page_view", now, null, null)]),
                CancellationToken.None)));
            time.Advance(TimeSpan.FromDays(1));
            raisedOn.AddRange((await EvaluateAsync(mall)).Select(a => $"{a.RuleId} after day {day}"));
        }

        Assert.Equal(["revisit-rate after day 10", "session-open-rate after day 10"], raisedOn.Order());
        var open = await mall.Get<AlertService>().ListAsync(openOnly: true, CancellationToken.None);
        Assert.Equal([0.05, 0.0], open.OrderBy(a => a.RuleId).Select(a => a.Value));
        await mall.Events.DrainAsync();
        var runs = new DailyRuns<ReactivationRun>(mall.Get<IDocumentCollection<ReactivationRun>>(), "reactivation");
        Assert.NotNull(await runs.FindAsync(Mall.Domain.Common.ChinaTime.DateOf(time.GetUtcNow()), CancellationToken.None));
    }
}
