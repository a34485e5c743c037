using Mall.Domain.Bargains;
using Mall.Domain.Common;

namespace Mall.UnitTests.Bargains;

/// <summary>A bargain's helps and its order: each helper once, the floor reached within the bound and never passed, nothing after the deadline or the order, one live order at a time.</summary>
public sealed class BargainTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private static Bargain New(int maxHelps = 5) =>
        new("BG1", "C-starter", "P1", "P1-1", StartPriceFen: 9_900, FloorFen: 1_900, maxHelps, Start, Start.AddHours(24));

    [Fact]
    public void Helps_reach_the_floor_exactly_at_the_bound_and_further_helps_cut_nothing()
    {
        var bargain = New(maxHelps: 5);
        var results = new List<BargainHelpResult>();
        foreach (var helper in Enumerable.Range(1, 7).Select(n => $"C{n}"))
        {
            var outcome = bargain.Help(helper, Start.AddMinutes(1));
            results.Add(outcome.Result);
            bargain = outcome.Bargain;
        }

        Assert.Equal(1_900, bargain.PriceFen);
        Assert.True(bargain.AtFloor);
        Assert.Equal(5, bargain.Helps.Count);
        Assert.Equal([.. Enumerable.Repeat(BargainHelpResult.Cut, 5), BargainHelpResult.AtFloor, BargainHelpResult.AtFloor], results);
        Assert.Equal(BargainCuts.Schedule("BG1", 8_000, 5), bargain.Helps.Select(h => h.CutFen));
    }

    [Fact]
    public void A_helper_helps_once_and_a_retry_sees_its_own_cut()
    {
        var first = New().Help("C1", Start);
        var again = first.Bargain.Help("C1", Start.AddMinutes(1));

        Assert.Equal(BargainHelpResult.AlreadyHelped, again.Result);
        Assert.Equal(first.CutFen, again.CutFen);
        Assert.Same(first.Bargain, again.Bargain);
    }

    [Fact]
    public void No_help_counts_after_the_deadline_once_the_starter_has_ordered_or_from_the_starter()
    {
        Assert.Equal(BargainHelpResult.Expired, New().Help("C1", Start.AddHours(24)).Result);
        Assert.Equal(BargainHelpResult.Ordered, (New() with { OrderId = "O1" }).Help("C1", Start).Result);
        Assert.Equal(BargainHelpResult.Ordered, (New() with { Phase = BargainPhase.Paid }).Help("C1", Start).Result);
        Assert.Equal(BargainHelpResult.Expired, (New() with { Phase = BargainPhase.Expired }).Help("C1", Start).Result);
        var own = New().Help("C-starter", Start);
        Assert.Equal((BargainHelpResult.OwnBargain, 0), (own.Result, own.Bargain.Helps.Count));
    }

    [Theory]
    [InlineData(9_900, 9_900, 5, "floorFen")]
    [InlineData(9_900, 0, 5, "floorFen")]
    [InlineData(9_900, 9_896, 5, "floorFen")]
    [InlineData(9_900, 1_000, 0, "helpsToFloor")]
    [InlineData(9_900, 1_000, 101, "helpsToFloor")]
    public void A_bargain_that_could_not_work_is_refused_naming_the_field(long price, long floor, int maxHelps, string field)
    {
        Assert.Equal(field, Bargain.Problem(price, floor, maxHelps, Start, Start.AddHours(1))?.Field);
        Assert.Equal("timeLimitHours", Bargain.Problem(9_900, 1_000, 5, Start, Start)?.Field);
        Assert.Null(Bargain.Problem(9_900, 1_000, 5, Start, Start.AddHours(1)));
        Assert.Null(Bargain.Problem(9_900, 9_895, 5, Start, Start.AddHours(1)));
    }

    [Fact]
    public void The_starter_orders_once_at_a_time_and_a_lapsed_order_lets_helps_and_a_new_order_come()
    {
        var bargain = New().Help("C1", Start).Bargain;

        var ordered = bargain.Order("C-starter", Start.AddHours(1));
        var again = ordered.Order("C-starter", Start.AddHours(2));
        var helpWhileOrdered = ordered.Help("C2", Start.AddHours(1));
        var lapsed = ordered.OrderLapsed(ordered.OrderId!);
        var helpedAfter = lapsed.Help("C2", Start.AddHours(3)).Bargain;
        var reordered = helpedAfter.Order("C-starter", Start.AddHours(4));

        Assert.Same(ordered, again);
        Assert.Equal(BargainHelpResult.Ordered, helpWhileOrdered.Result);
        Assert.Null(lapsed.OrderId);
        Assert.Equal(2, helpedAfter.Helps.Count);
        Assert.NotEqual(ordered.OrderId, reordered.OrderId);
        Assert.Same(ordered, ordered.OrderLapsed("another order"));
    }

    [Fact]
    public void Only_the_starter_orders_and_never_after_the_deadline()
    {
        Assert.Equal(ErrorCode.Forbidden, Assert.Throws<DomainException>(() => New().Order("C1", Start)).Code);
        Assert.Equal(ErrorCode.BargainExpired, Assert.Throws<DomainException>(() => New().Order("C-starter", Start.AddHours(24))).Code);
        Assert.Equal(ErrorCode.BargainExpired, Assert.Throws<DomainException>(() => (New() with { Phase = BargainPhase.Expired }).Order("C-starter", Start)).Code);
    }

    [Fact]
    public void A_paid_order_ends_the_bargain_and_only_a_bargain_without_a_live_order_expires()
    {
        var ordered = New().Order("C-starter", Start);

        var paid = ordered.Paid(ordered.OrderId!);
        var unpaidAtDeadline = ordered.Expire(Start.AddHours(25));
        var early = New().Expire(Start.AddHours(23));
        var expired = New().Expire(Start.AddHours(24));

        Assert.Equal(BargainPhase.Paid, paid.Phase);
        Assert.Same(paid, paid.Paid(ordered.OrderId!));
        Assert.Same(ordered, ordered.Paid("another order"));
        Assert.Same(paid, paid.Order("C-starter", Start.AddHours(30)));
        Assert.Equal(BargainPhase.Open, unpaidAtDeadline.Phase);
        Assert.Equal(BargainPhase.Open, early.Phase);
        Assert.Equal(BargainPhase.Expired, expired.Phase);
        Assert.Same(paid, paid.Expire(Start.AddHours(25)));
    }

    [Fact]
    public void A_bargain_starts_before_it_opens_and_a_refused_start_keeps_its_reason()
    {
        var starting = New() with { Phase = BargainPhase.Starting };

        Assert.Equal(BargainPhase.Open, starting.Open().Phase);
        var refused = starting.Refuse(ErrorCode.BudgetExhausted);
        Assert.Equal((BargainPhase.Refused, ErrorCode.BudgetExhausted), (refused.Phase, refused.Refusal));
        Assert.Same(refused, refused.Open());
        Assert.Equal(BargainPhase.Open, starting.Open().Refuse(ErrorCode.BudgetExhausted).Phase);
    }
}
