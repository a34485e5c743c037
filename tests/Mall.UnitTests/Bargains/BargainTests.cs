using Mall.Domain.Bargains;

namespace Mall.UnitTests.Bargains;

/// <summary>A bargain's helps: each helper once, the floor reached within the bound and never passed, nothing after the deadline or the order.</summary>
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
    public void No_help_counts_after_the_deadline_or_once_the_starter_has_ordered()
    {
        Assert.Equal(BargainHelpResult.Expired, New().Help("C1", Start.AddHours(24)).Result);
        Assert.Equal(BargainHelpResult.Ordered, (New() with { OrderId = "O1" }).Help("C1", Start).Result);
    }

    [Theory]
    [InlineData(9_900, 9_900, 5, "floorFen")]
    [InlineData(9_900, 0, 5, "floorFen")]
    [InlineData(9_900, 1_000, 0, "maxHelps")]
    [InlineData(9_900, 1_000, 101, "maxHelps")]
    public void A_bargain_that_could_not_work_is_refused_naming_the_field(long price, long floor, int maxHelps, string field)
    {
        Assert.Equal(field, Bargain.Problem(price, floor, maxHelps, Start, Start.AddHours(1))?.Field);
        Assert.Equal("deadline", Bargain.Problem(9_900, 1_000, 5, Start, Start)?.Field);
        Assert.Null(Bargain.Problem(9_900, 1_000, 5, Start, Start.AddHours(1)));
    }
}
