using Mall.Domain.Analytics;

namespace Mall.UnitTests.Analytics;

/// <summary>
/// Expected values are closed forms or standard table values, their digits computed independently of the code
/// under test with mpmath 1.3.0 at 50 significant digits (erfc, exp, gammainc) and rounded to the nearest double.
/// </summary>
public sealed class ExperimentStatisticsTests
{
    private static void AssertRelative(double expected, double actual, double tolerance = 1e-12) =>
        Assert.True(Math.Abs(actual - expected) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R}");

    [Theory]
    // Φ(z) = erfc(−z/√2)/2. Φ(1), Φ(1.96), Φ(3) are the well-known table values; mpmath agrees to every digit.
    // |z|/√2 ≤ 0.46875, ≤ 4 and beyond are the three ranges of Cody's approximation.
    [InlineData(0.0, 0.5)]
    [InlineData(0.5, 0.6914624612740131)]
    [InlineData(-0.5, 0.3085375387259869)]
    [InlineData(1.0, 0.8413447460685429)]
    [InlineData(1.96, 0.9750021048517795)]
    [InlineData(-1.96, 0.024997895148220435)]
    [InlineData(3.0, 0.9986501019683699)]
    [InlineData(-6.0, 9.86587645037698e-10)]
    [InlineData(-10.0, 7.619853024160525e-24)]
    [InlineData(-37.0, 5.725571222524577e-300)]
    [InlineData(8.3, 1.0)]
    public void Normal_cdf_matches_erfc_to_twelve_digits_in_every_range_of_the_approximation(double z, double expected) =>
        AssertRelative(expected, ExperimentStatistics.NormalCdf(z));

    [Fact]
    public void Normal_cdf_is_0_and_1_at_the_infinities()
    {
        Assert.Equal(0, ExperimentStatistics.NormalCdf(double.NegativeInfinity));
        Assert.Equal(1, ExperimentStatistics.NormalCdf(double.PositiveInfinity));
        Assert.True(double.IsNaN(ExperimentStatistics.NormalCdf(double.NaN)));
    }

    [Theory]
    // df = 2: Q(1, x/2) = exp(−x/2) exactly; exp(−5) = 0.006737946999085467, exp(−70) = 3.975449735908647e-31.
    [InlineData(10.0, 2, 0.006737946999085467)]
    [InlineData(140.0, 2, 3.975449735908647e-31)]
    // df = 1: erfc(√(x/2)) = 2·(1 − Φ(√x)); 2·(1 − Φ(1)) and 2·(1 − Φ(3)) from the table values above, and
    // x = 100 is z = 10 two-sided, erfc(√50) = 1.523970604832105e-23. x = 0.5 takes the series.
    [InlineData(1.0, 1, 0.3173105078629141)]
    [InlineData(9.0, 1, 0.002699796063260189)]
    [InlineData(100.0, 1, 1.523970604832105e-23)]
    [InlineData(0.5, 1, 0.4795001221869535)]
    // df = 3: erfc(√(x/2)) + √(2x/π)·exp(−x/2); at x = 2, erfc(1) + 2·exp(−1)/√π (series).
    [InlineData(2.0, 3, 0.5724067044708798)]
    // df = 4: exp(−x/2)·(1 + x/2); at x = 10, 6·exp(−5).
    [InlineData(10.0, 4, 0.040427681994512805)]
    // Either side of the switch from series to continued fraction at x/2 = df/2 + 1, where Q = exp(−3)·4:
    // exp(−x/2)·(1 + x/2) at x = 5.999999 and 6.000001 (= mpmath gammainc(2, x/2, inf, regularized=True)).
    [InlineData(5.999999, 4, 0.19914834815207078)]
    [InlineData(6.000001, 4, 0.19914819879086568)]
    // Even df: exp(−x/2)·Σ_{i<df/2} (x/2)^i/i!. df 10 at x = 4: 7·exp(−2) (series); at x = 20: exp(−10)·1933/3.
    [InlineData(4.0, 10, 0.9473469826562888)]
    [InlineData(20.0, 10, 0.029252688076961072)]
    // df 30 at x = 200: exp(−100)·Σ_{i<15} 100^i/i!.
    [InlineData(200.0, 30, 4.952733529003191e-27)]
    public void Chi_square_survival_matches_closed_forms_including_tiny_tails(double x, int degreesOfFreedom, double expected) =>
        AssertRelative(expected, ExperimentStatistics.ChiSquareSurvival(x, degreesOfFreedom));

    [Fact]
    public void Chi_square_survival_is_1_at_and_below_0_0_at_infinity_and_needs_a_degree_of_freedom()
    {
        Assert.Equal(1, ExperimentStatistics.ChiSquareSurvival(0, 3));
        Assert.Equal(1, ExperimentStatistics.ChiSquareSurvival(-1, 3));
        Assert.Equal(0, ExperimentStatistics.ChiSquareSurvival(double.PositiveInfinity, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.ChiSquareSurvival(1, 0));
    }

    [Fact]
    public void Chi_square_survival_falls_from_1_towards_0_without_ever_leaving_the_unit_interval()
    {
        foreach (var degreesOfFreedom in new[] { 1, 2, 3, 7, 50 })
        {
            var previous = 1.0;
            for (var x = 0.25; x <= 400; x += 0.25)
            {
                var survival = ExperimentStatistics.ChiSquareSurvival(x, degreesOfFreedom);
                Assert.InRange(survival, 0, previous);
                previous = survival;
            }

            Assert.True(previous > 0, $"df {degreesOfFreedom}: a tail above 1e-300 must not round to 0");
        }
    }

    [Fact]
    public void No_trials_is_a_rate_of_0_in_the_interval_0_to_1() =>
        Assert.Equal(new ProportionEstimate(0, 0, 0, 0, 1), ExperimentStatistics.Proportion(0, 0));

    [Fact]
    public void Wilson_interval_matches_statsmodels()
    {
        // statsmodels proportion_confint(120, 1000, alpha=0.05, method='wilson'); digits from the Wilson formula
        // (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n) with z = √2·erfinv(0.95) in mpmath.
        var estimate = ExperimentStatistics.Proportion(120, 1000);

        Assert.Equal(120, estimate.Successes);
        Assert.Equal(1000, estimate.Trials);
        Assert.Equal(0.12, estimate.Rate);
        AssertRelative(0.10129926060130914, estimate.Low);
        AssertRelative(0.14160907584771276, estimate.High);

        // proportion_confint(1, 3, method='wilson'): a small sample, where Wald would give [−0.2, 0.87].
        var small = ExperimentStatistics.Proportion(1, 3);
        AssertRelative(0.06149194472039623, small.Low);
        AssertRelative(0.7923403991979523, small.High);
    }

    [Fact]
    public void Wilson_interval_at_no_successes_and_at_all_successes_ends_exactly_at_0_and_1()
    {
        // At 0 of n the interval is [0, z²/(n + z²)]; at n of n, [n/(n + z²), 1]. z²/(100 + z²) = 0.036993498206985685.
        var none = ExperimentStatistics.Proportion(0, 100);
        var all = ExperimentStatistics.Proportion(100, 100);

        Assert.Equal(0, none.Rate);
        Assert.Equal(0, none.Low);
        AssertRelative(0.036993498206985685, none.High);
        Assert.Equal(1, all.Rate);
        AssertRelative(0.9630065017930143, all.Low);
        Assert.Equal(1, all.High);
        // One trial, no success: [0, z²/(1 + z²)] = [0, 0.7934506856227627].
        AssertRelative(0.7934506856227627, ExperimentStatistics.Proportion(0, 1).High);
    }

    [Fact]
    public void Counts_must_be_possible()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.Proportion(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.Proportion(0, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.Proportion(11, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.Compare(11, 10, 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.Compare(1, 10, 1, -10));
    }

    [Fact]
    public void Compare_is_the_pooled_two_proportion_z_test_of_prop_test_without_continuity_correction()
    {
        // R prop.test(c(120, 150), c(1000, 1000), correct = FALSE): X-squared = z² = 3.8535645472061657,
        // p-value = erfc(|z|/√2) = 0.04964038686536879, with z = (0.15 − 0.12)/√(0.135·0.865·(1/1000 + 1/1000)).
        var comparison = ExperimentStatistics.Compare(120, 1000, 150, 1000);

        AssertRelative(0.03, comparison.Lift, 1e-13);
        AssertRelative(0.25, comparison.RelativeLift, 1e-13);
        AssertRelative(1.9630498076223553, comparison.ZScore);
        AssertRelative(3.8535645472061657, comparison.ZScore * comparison.ZScore);
        AssertRelative(0.04964038686536879, comparison.PValue);
    }

    [Fact]
    public void Swapping_control_and_variant_flips_the_sign_and_keeps_the_p_value()
    {
        var forward = ExperimentStatistics.Compare(1000, 10000, 1300, 10000);
        var backward = ExperimentStatistics.Compare(1300, 10000, 1000, 10000);

        // z = 0.03/√(0.115·0.885·2/10000) = 6.649449642287741, p = erfc(z/√2) = 2.9419097876154586e-11.
        AssertRelative(6.649449642287741, forward.ZScore);
        AssertRelative(2.9419097876154586e-11, forward.PValue);
        Assert.Equal(-forward.ZScore, backward.ZScore, 12);
        Assert.Equal(-forward.Lift, backward.Lift, 15);
        AssertRelative(forward.PValue, backward.PValue);
        // Relative to each side's own control: +0.03/0.10 and −0.03/0.13.
        AssertRelative(0.3, forward.RelativeLift, 1e-13);
        AssertRelative(-0.03 / 0.13, backward.RelativeLift, 1e-13);
    }

    [Fact]
    public void Unequal_samples_pool_the_rate_over_both()
    {
        // 100/1000 against 1000/5000: pooled 1100/6000, z = 0.1/√(p̄(1−p̄)(1/1000 + 1/5000)) = 7.460470969529907,
        // p = erfc(z/√2) = 8.621375017015072e-14.
        var comparison = ExperimentStatistics.Compare(100, 1000, 1000, 5000);

        AssertRelative(7.460470969529907, comparison.ZScore);
        AssertRelative(8.621375017015072e-14, comparison.PValue, 1e-11);
    }

    [Fact]
    public void A_tiny_p_value_keeps_its_digits_instead_of_rounding_to_0()
    {
        // 1000/10000 against 1500/10000: z = 0.05/√(0.125·0.875·2/10000) = 10.690449676496975,
        // p = erfc(z/√2) = 1.1282263028690691e-26; for z = 10 exactly it is erfc(√50) = 1.523970604832105e-23,
        // which is the df = 1 chi-square tail at x = z² = 100.
        var comparison = ExperimentStatistics.Compare(1000, 10000, 1500, 10000);

        AssertRelative(10.690449676496975, comparison.ZScore);
        AssertRelative(1.1282263028690691e-26, comparison.PValue, 1e-11);
        AssertRelative(1.523970604832105e-23, ExperimentStatistics.ChiSquareSurvival(100, 1));
    }

    [Fact]
    public void No_trials_or_no_variance_is_no_evidence_either_way()
    {
        Assert.Equal(new ProportionComparison(0.05, 0, 0, 1), ExperimentStatistics.Compare(0, 0, 5, 100));
        Assert.Equal(new ProportionComparison(-0.05, -1, 0, 1), ExperimentStatistics.Compare(5, 100, 0, 0));
        // Pooled rate 0 and 1: every unit behaved alike, nothing to test.
        Assert.Equal(new ProportionComparison(0, 0, 0, 1), ExperimentStatistics.Compare(0, 100, 0, 200));
        Assert.Equal(new ProportionComparison(0, 0, 0, 1), ExperimentStatistics.Compare(100, 100, 200, 200));
    }

    [Fact]
    public void A_control_rate_of_0_gives_a_relative_lift_of_0_not_infinity()
    {
        // 0/100 against 5/100: pooled 5/200, z = 0.05/√(0.025·0.975·0.02) = 2.2645540682891916, p = 0.02354005826117795.
        var comparison = ExperimentStatistics.Compare(0, 100, 5, 100);

        Assert.Equal(0.05, comparison.Lift);
        Assert.Equal(0, comparison.RelativeLift);
        AssertRelative(2.2645540682891916, comparison.ZScore);
        AssertRelative(0.02354005826117795, comparison.PValue);
    }

    [Fact]
    public void An_even_split_that_drifts_by_eight_percent_is_a_sample_ratio_mismatch()
    {
        // Expected 5200 each: χ² = 2·200²/5200 = 200/13, p = erfc(√(100/13)) = 8.769942375590233e-05 < 0.001.
        var check = ExperimentStatistics.SampleRatio([5000, 5400], [1, 1]);

        AssertRelative(200.0 / 13, check.ChiSquare);
        Assert.Equal(1, check.DegreesOfFreedom);
        AssertRelative(8.769942375590233e-05, check.PValue);
        Assert.True(check.Mismatch);
    }

    [Fact]
    public void An_even_split_off_by_one_percent_is_chance()
    {
        // Expected 5025 each: χ² = 2·25²/5025 = 50/201, p = erfc(√(25/201)) = 0.6179522266795625.
        var check = ExperimentStatistics.SampleRatio([5000, 5050], [50, 50]);

        AssertRelative(50.0 / 201, check.ChiSquare);
        AssertRelative(0.6179522266795625, check.PValue);
        Assert.False(check.Mismatch);
    }

    [Fact]
    public void Unequal_weights_set_the_expected_shares()
    {
        // 1:3 of 10000 expects 2500 and 7500.
        var exact = ExperimentStatistics.SampleRatio([2500, 7500], [1, 3]);
        // χ² = 100²/2500 + 100²/7500 = 16/3, p = erfc(√(8/3)) = 0.020921335337794028: unusual, yet not an SRM.
        var unusual = ExperimentStatistics.SampleRatio([2400, 7600], [1, 3]);
        // χ² = 300²/2500 + 300²/7500 = 48, p = erfc(√24) = 4.262191597843645e-12.
        var broken = ExperimentStatistics.SampleRatio([2200, 7800], [1, 3]);

        Assert.Equal(new SampleRatioCheck(0, 1, 1, false), exact);
        AssertRelative(16.0 / 3, unusual.ChiSquare);
        AssertRelative(0.020921335337794028, unusual.PValue);
        Assert.False(unusual.Mismatch);
        Assert.Equal(48, broken.ChiSquare, 10);
        AssertRelative(4.262191597843645e-12, broken.PValue, 1e-11);
        Assert.True(broken.Mismatch);
    }

    [Fact]
    public void Three_variants_have_two_degrees_of_freedom()
    {
        // Expected 3100/3 each: χ² = ((100/3)² + (100/3)² + (200/3)²)/(3100/3) = 200/31; df 2: p = exp(−100/31) = 0.03972373338644102.
        var check = ExperimentStatistics.SampleRatio([1000, 1000, 1100], [1, 1, 1]);

        AssertRelative(200.0 / 31, check.ChiSquare);
        Assert.Equal(2, check.DegreesOfFreedom);
        AssertRelative(0.03972373338644102, check.PValue);
        Assert.False(check.Mismatch);
    }

    [Fact]
    public void The_mismatch_threshold_is_one_in_a_thousand()
    {
        Assert.Equal(0.001, ExperimentStatistics.SampleRatioMismatchThreshold);
    }

    [Fact]
    public void No_units_yet_is_no_mismatch() =>
        Assert.Equal(new SampleRatioCheck(0, 2, 1, false), ExperimentStatistics.SampleRatio([0, 0, 0], [1, 1, 2]));

    [Fact]
    public void A_variant_of_weight_0_is_left_out_until_a_unit_lands_in_it()
    {
        var switchedOff = ExperimentStatistics.SampleRatio([5000, 5050, 0], [1, 1, 0]);
        var leaking = ExperimentStatistics.SampleRatio([5000, 5050, 1], [1, 1, 0]);
        var alone = ExperimentStatistics.SampleRatio([7000, 0], [1, 0]);

        // The same as the two live variants alone: χ² = 50/201 with df 1.
        AssertRelative(50.0 / 201, switchedOff.ChiSquare);
        Assert.Equal(1, switchedOff.DegreesOfFreedom);
        Assert.False(switchedOff.Mismatch);
        Assert.Equal(double.PositiveInfinity, leaking.ChiSquare);
        Assert.Equal(0, leaking.PValue);
        Assert.True(leaking.Mismatch);
        Assert.Equal(new SampleRatioCheck(0, 0, 1, false), alone);
        Assert.True(ExperimentStatistics.SampleRatio([7000, 1], [1, 0]).Mismatch);
    }

    [Fact]
    public void Sample_ratio_needs_one_weight_per_count_nonnegative_counts_and_a_positive_total_weight()
    {
        Assert.Throws<ArgumentException>(() => ExperimentStatistics.SampleRatio([1, 2], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExperimentStatistics.SampleRatio([-1, 2], [1, 1]));
        Assert.Throws<ArgumentException>(() => ExperimentStatistics.SampleRatio([1, 2], [1, -1]));
        Assert.Throws<ArgumentException>(() => ExperimentStatistics.SampleRatio([1, 2], [0, 0]));
        Assert.Throws<ArgumentException>(() => ExperimentStatistics.SampleRatio([], []));
        Assert.Throws<ArgumentNullException>(() => ExperimentStatistics.SampleRatio(null!, [1]));
    }
}
