using Mall.Domain.Analytics;

namespace Mall.UnitTests.Analytics;

public sealed class ExperimentAssignmentTests
{
    private static readonly VariantWeight[] EvenSplit = [new("control", 1), new("treatment", 1)];

    private static IEnumerable<string> Units(int count) => Enumerable.Range(0, count).Select(i => $"customer-{i}");

    [Fact]
    public void The_bucket_is_the_first_eight_bytes_of_sha256_big_endian()
    {
        // printf 'checkout-button:customer-42' | sha256sum → d0e8fb8ada507d99…
        Assert.Equal(0xd0e8fb8ada507d99UL, ExperimentAssignment.Bucket("checkout-button", "customer-42"));
        // UTF-8: printf '首页改版:顾客-42' | sha256sum → 50c4d85689a032f6…
        Assert.Equal(0x50c4d85689a032f6UL, ExperimentAssignment.Bucket("首页改版", "顾客-42"));
    }

    [Fact]
    public void The_variant_is_where_the_bucket_falls_among_the_cumulative_shares()
    {
        // Python: h = int.from_bytes(hashlib.sha256(b'checkout-button:customer-42').digest()[:8], 'big');
        // (h * 10) >> 64 = 8 and (h * 100) >> 64 = 81: past 3 of 10, inside 80–89 of 100.
        Assert.Equal("treatment", ExperimentAssignment.Assign("checkout-button", "customer-42", [new("control", 3), new("treatment", 7)]));
        Assert.Equal("c", ExperimentAssignment.Assign("checkout-button", "customer-42", [new("a", 80), new("b", 1), new("c", 9), new("d", 10)]));
        // The same for 'free-shipping-banner:customer-42': (h * 100) >> 64 = 5, inside 0–9.
        Assert.Equal("a", ExperimentAssignment.Assign("free-shipping-banner", "customer-42", [new("a", 10), new("b", 90)]));
        // '首页改版:顾客-42': (h * 3) >> 64 = 0.
        Assert.Equal("old", ExperimentAssignment.Assign("首页改版", "顾客-42", [new("old", 1), new("new", 2)]));
    }

    [Fact]
    public void The_same_unit_gets_the_same_variant_on_every_call()
    {
        var first = Units(1000).Select(unit => ExperimentAssignment.Assign("checkout-button", unit, EvenSplit)).ToList();
        var second = Units(1000).Select(unit => ExperimentAssignment.Assign("checkout-button", unit, EvenSplit)).ToList();

        Assert.Equal(first, second);
        Assert.Contains("control", first);
        Assert.Contains("treatment", first);
    }

    [Fact]
    public void Shares_follow_the_weights_over_a_hundred_thousand_units()
    {
        VariantWeight[] variants = [new("control", 7), new("blue", 2), new("green", 1)];

        var counts = Units(100_000)
            .Select(unit => ExperimentAssignment.Assign("checkout-button", unit, variants))
            .CountBy(variant => variant)
            .ToDictionary(pair => pair.Key, pair => pair.Value);

        // The binomial standard error of a share is at most √(0.25/100000) ≈ 0.0016; 0.01 is six of them.
        Assert.Equal(0.7, counts["control"] / 100_000.0, 0.01);
        Assert.Equal(0.2, counts["blue"] / 100_000.0, 0.01);
        Assert.Equal(0.1, counts["green"] / 100_000.0, 0.01);
        Assert.False(ExperimentStatistics.SampleRatio([counts["control"], counts["blue"], counts["green"]], [7, 2, 1]).Mismatch);
    }

    [Fact]
    public void A_variant_of_weight_0_is_never_chosen_wherever_it_stands()
    {
        VariantWeight[][] layouts =
        [
            [new("off", 0), new("a", 1), new("b", 1)],
            [new("a", 1), new("off", 0), new("b", 1)],
            [new("a", 1), new("b", 1), new("off", 0)],
        ];

        foreach (var variants in layouts)
        {
            var assigned = Units(100_000).Select(unit => ExperimentAssignment.Assign("checkout-button", unit, variants)).ToHashSet();
            Assert.Equal(["a", "b"], assigned.Order());
        }
    }

    [Fact]
    public void Experiments_assign_independently_of_each_other()
    {
        var pairs = Units(100_000)
            .Select(unit => (ExperimentAssignment.Assign("checkout-button", unit, EvenSplit), ExperimentAssignment.Assign("free-shipping-banner", unit, EvenSplit)))
            .CountBy(pair => pair)
            .ToDictionary(pair => pair.Key, pair => pair.Value);

        // Independent 50/50 splits put a quarter of the units in each pair of variants (standard error ≈ 0.0014).
        Assert.Equal(4, pairs.Count);
        Assert.All(pairs.Values, count => Assert.Equal(0.25, count / 100_000.0, 0.01));
    }

    [Fact]
    public void Weights_in_the_same_proportions_assign_the_same_variants()
    {
        VariantWeight[] hundredths = [new("control", 50), new("treatment", 50)];

        Assert.All(Units(10_000), unit => Assert.Equal(
            ExperimentAssignment.Assign("checkout-button", unit, EvenSplit),
            ExperimentAssignment.Assign("checkout-button", unit, hundredths)));
    }

    [Fact]
    public void Growing_the_first_variant_only_moves_units_into_it()
    {
        VariantWeight[] tenPercent = [new("treatment", 10), new("control", 90)];
        VariantWeight[] twentyPercent = [new("treatment", 20), new("control", 80)];

        var moved = Units(10_000)
            .Select(unit => (Before: ExperimentAssignment.Assign("checkout-button", unit, tenPercent), After: ExperimentAssignment.Assign("checkout-button", unit, twentyPercent)))
            .Where(pair => pair.Before != pair.After)
            .ToList();

        Assert.NotEmpty(moved);
        Assert.All(moved, pair => Assert.Equal(("control", "treatment"), pair));
    }

    [Fact]
    public void Weights_must_be_nonnegative_with_a_positive_total_and_ids_present()
    {
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Assign("e", "u", []));
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Assign("e", "u", [new("a", 0), new("b", 0)]));
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Assign("e", "u", [new("a", -1), new("b", 2)]));
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Assign("e", "u", [new("a", 1), null!]));
        Assert.Throws<ArgumentNullException>(() => ExperimentAssignment.Assign("e", "u", null!));
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Assign("", "u", EvenSplit));
        Assert.Throws<ArgumentNullException>(() => ExperimentAssignment.Assign("e", null!, EvenSplit));
        Assert.Throws<ArgumentException>(() => ExperimentAssignment.Bucket("e", ""));
    }

    [Fact]
    public void Weights_that_add_up_beyond_int_still_assign()
    {
        VariantWeight[] huge = [new("a", int.MaxValue), new("b", int.MaxValue)];

        // The checkout-button:customer-42 bucket 0xd0e8… is above half of 2⁶⁴: the second half.
        Assert.Equal("b", ExperimentAssignment.Assign("checkout-button", "customer-42", huge));
    }
}
