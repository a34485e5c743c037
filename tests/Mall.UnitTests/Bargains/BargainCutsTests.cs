using Mall.Domain.Bargains;

namespace Mall.UnitTests.Bargains;

/// <summary>Bargain cuts: reproducible, at least a fen each, the floor reached at the bound (sooner only when the gap is smaller) and never passed.</summary>
public sealed class BargainCutsTests
{
    [Theory]
    [InlineData(10_000, 10)]
    [InlineData(9_900, 1)]
    [InlineData(7, 10)]
    [InlineData(1, 5)]
    [InlineData(123_456_789, 30)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(12, 11)]
    public void Cuts_reach_the_floor_exactly_at_the_bound_and_never_pass_it(long gapFen, int maxHelps)
    {
        foreach (var bargain in Enumerable.Range(0, 500).Select(n => $"B{n}"))
        {
            var cuts = BargainCuts.Schedule(bargain, gapFen, maxHelps);

            Assert.Equal(gapFen, cuts.Sum());
            // A fen is kept back for every later help, so the last help allowed is the one that reaches the floor
            // (a gap smaller than the helps is a fen a help).
            Assert.Equal(Math.Min(gapFen, maxHelps), cuts.Count);
            Assert.All(cuts, cut => Assert.True(cut >= 1, $"{bargain}: a cut of {cut}"));
        }
    }

    [Fact]
    public void The_same_bargain_and_help_always_cut_the_same_and_other_bargains_differ()
    {
        var first = BargainCuts.Schedule("BARGAIN-1", 10_000, 10);
        var again = BargainCuts.Schedule("BARGAIN-1", 10_000, 10);
        var other = BargainCuts.Schedule("BARGAIN-2", 10_000, 10);

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void Cuts_spread_over_the_helps_rather_than_all_landing_on_the_first_or_the_last()
    {
        // Over many bargains, the first help's share of a 10-help gap averages 1/10 (the draw is uniform on
        // twice the even share), and the last help is not left with most of it.
        var schedules = Enumerable.Range(0, 2_000).Select(n => BargainCuts.Schedule($"S{n}", 100_000, 10)).ToList();
        var firstShare = schedules.Average(s => s[0] / 100_000.0);
        var lastShare = schedules.Average(s => s.Count == 10 ? s[9] / 100_000.0 : 0);

        Assert.InRange(firstShare, 0.09, 0.11);
        Assert.InRange(lastShare, 0.0, 0.25);
    }

    [Fact]
    public void Nothing_is_left_to_cut_once_the_floor_is_reached_and_helps_beyond_the_bound_are_refused()
    {
        Assert.Equal(0, BargainCuts.Cut("B", 3, 0, 10));
        Assert.Equal(42, BargainCuts.Cut("B", 10, 42, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => BargainCuts.Cut("B", 11, 42, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => BargainCuts.Cut("B", 1, -1, 10));
    }
}
