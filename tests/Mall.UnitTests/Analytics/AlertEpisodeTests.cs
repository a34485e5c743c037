using Mall.Application.Analytics;
using Mall.Domain.Analytics;

namespace Mall.UnitTests.Analytics;

/// <summary>Alert rules and episodes: raised once per episode, resolved when the condition clears, escalated once if nobody acknowledges.</summary>
public sealed class AlertEpisodeTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan TwoHours = TimeSpan.FromHours(2);
    private static readonly AlertRule UvPv = AlertRule.SeedDefaults.Single(r => r.Id == "uv-pv-ratio");
    private static readonly AlertRule CartToPaid = AlertRule.SeedDefaults.Single(r => r.Id == "cart-to-paid");

    [Fact]
    public void A_rule_breaches_only_after_its_consecutive_periods_all_breach()
    {
        Assert.Equal(AlertAssessment.Unknown, UvPv.Assess([0.1, 0.1, 0.1, 0.1, 0.1]));
        Assert.Equal(AlertAssessment.Unknown, UvPv.Assess([0.1, 0.1, 0.5, 0.1, 0.1, 0.1]));
        Assert.Equal(AlertAssessment.Breached, UvPv.Assess([0.5, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]));
        Assert.Equal(AlertAssessment.Unknown, UvPv.Assess([0.1, 0.1, 0.1, null, 0.1, 0.1]));
        Assert.Equal(AlertAssessment.Clear, UvPv.Assess([0.1, 0.1, 0.1, 0.1, 0.1, 0.3]));
        Assert.Equal(AlertAssessment.Unknown, UvPv.Assess([0.1, 0.1, 0.1, 0.1, 0.1, null]));
    }

    [Fact]
    public void Readings_below_the_minimum_base_are_no_reading()
    {
        var quiet = Tally.Empty.With(TrackedEvent.AddToCart).With(TrackedEvent.AddToCart);
        Assert.Null(AlertReadings.Hourly(CartToPaid, quiet));

        var busy = Enumerable.Range(0, 40).Aggregate(Tally.Empty, (t, _) => t.With(TrackedEvent.AddToCart));
        busy = Enumerable.Range(0, 10).Aggregate(busy, (t, _) => t.With(TrackedEvent.OrderPaid, 100));
        Assert.Equal(0.25, AlertReadings.Hourly(CartToPaid, busy));
    }

    [Fact]
    public void Hourly_readings_are_taken_over_the_rules_window_ending_at_each_period()
    {
        // 24 hours of 10 add-to-carts each; 3 paid in each of the last 12 hours only, 0 before.
        var hours = Enumerable.Range(0, 30).Select(h =>
        {
            var tally = Enumerable.Range(0, 10).Aggregate(Tally.Empty, (t, _) => t.With(TrackedEvent.AddToCart));
            return h >= 18 ? Enumerable.Range(0, 3).Aggregate(tally, (t, _) => t.With(TrackedEvent.OrderPaid, 100)) : tally;
        }).ToList();

        var readings = AlertService.HourlyReadings(CartToPaid, hours);

        // One consecutive period over the last 24 hours: 36 paid of 240 add-to-carts.
        Assert.Equal([36.0 / 240], readings);
    }

    [Fact]
    public void An_episode_is_raised_once_while_the_condition_holds_escalated_once_and_resolved_when_it_clears()
    {
        var book = new AlertBook(UvPv.Id);
        var events = new List<Mall.Domain.Common.IntegrationEvent>();
        var now = Start;
        for (var tick = 0; tick < 12; tick++, now = now.AddMinutes(10))
        {
            var (next, raised) = book.Evaluate(UvPv, AlertAssessment.Breached, 0.2, now, TwoHours);
            events.AddRange(raised);
            book = next;
        }

        Assert.Equal(["AlertRaised"], events.Select(e => e.Name));
        Assert.Equal(AlertState.Raised, book.Open!.State);

        (book, var escalated) = book.Evaluate(UvPv, AlertAssessment.Unknown, null, Start + TwoHours, TwoHours);
        (book, var again) = book.Evaluate(UvPv, AlertAssessment.Breached, 0.2, Start + TwoHours + TimeSpan.FromMinutes(10), TwoHours);
        Assert.Equal(["AlertEscalated"], escalated.Select(e => e.Name));
        Assert.Empty(again);
        Assert.Equal(AlertState.Escalated, book.Open!.State);

        (book, var resolved) = book.Evaluate(UvPv, AlertAssessment.Clear, 0.5, Start.AddHours(3), TwoHours);
        Assert.Equal(["AlertResolved"], resolved.Select(e => e.Name));
        Assert.Null(book.Open);
        Assert.Equal(AlertState.Resolved, book.LastResolved!.State);

        // The condition returns: a new episode, with a new id.
        (book, var reraised) = book.Evaluate(UvPv, AlertAssessment.Breached, 0.1, Start.AddHours(4), TwoHours);
        var second = Assert.IsType<AlertRaised>(Assert.Single(reraised));
        Assert.NotEqual(book.LastResolved!.Id, second.AlertId);
    }

    [Fact]
    public void An_acknowledged_alert_never_escalates_and_the_first_acknowledgement_stands()
    {
        var (book, _) = new AlertBook(UvPv.Id).Evaluate(UvPv, AlertAssessment.Breached, 0.2, Start, TwoHours);
        var id = book.Open!.Id;

        book = book.Acknowledge(id, "alice", Start.AddMinutes(30))!;
        book = book.Acknowledge(id, "bob", Start.AddMinutes(40))!;
        var (later, events) = book.Evaluate(UvPv, AlertAssessment.Breached, 0.2, Start.AddHours(5), TwoHours);

        Assert.Empty(events);
        Assert.Same(book, later);
        Assert.Equal((AlertState.Acknowledged, "alice"), (later.Open!.State, later.Open.AcknowledgedBy));
        Assert.Null(book.Acknowledge("someone-else-1", "alice", Start));
    }

    [Fact]
    public void Nothing_changes_without_a_breach_and_no_open_episode()
    {
        var book = new AlertBook(UvPv.Id);
        Assert.Same(book, book.Evaluate(UvPv, AlertAssessment.Clear, 0.9, Start, TwoHours).Book);
        Assert.Same(book, book.Evaluate(UvPv, AlertAssessment.Unknown, null, Start, TwoHours).Book);
    }

    [Fact]
    public void The_funnel_gives_each_steps_rate_from_the_one_before()
    {
        var tally = Tally.Empty with { Visitors = 100 };
        tally = Enumerable.Range(0, 50).Aggregate(tally, (t, _) => t.With(TrackedEvent.ProductView));
        tally = Enumerable.Range(0, 10).Aggregate(tally, (t, _) => t.With(TrackedEvent.AddToCart));
        tally = Enumerable.Range(0, 4).Aggregate(tally, (t, _) => t.With(TrackedEvent.OrderPaid, 100));

        var funnel = Funnels.Of("2026-12-01", tally);

        Assert.Equal([100L, 50, 10, 0, 4], funnel.Steps.Select(s => s.Count));
        Assert.Equal([null, 0.5, 0.2, 0.0, null], funnel.Steps.Select(s => s.RateFromPrevious));
    }
}
