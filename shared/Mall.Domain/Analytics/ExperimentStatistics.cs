namespace Mall.Domain.Analytics;

/// <summary>
/// A conversion rate with its 95% Wilson score interval. Wilson rather than the textbook normal (Wald)
/// interval because it stays inside [0, 1] and keeps its coverage for small samples and rates near 0 or 1,
/// which is where a new variant's numbers are on day one. With no trials the rate is 0 and the interval [0, 1].
/// </summary>
public sealed record ProportionEstimate(long Successes, long Trials, double Rate, double Low, double High);

/// <summary>
/// A variant against the control. <see cref="Lift"/> is the absolute difference of rates (variant minus
/// control), <see cref="RelativeLift"/> that difference over the control's rate (0 when the control's rate is 0,
/// so a dashboard never shows NaN or infinity), and <see cref="PValue"/> the two-sided p-value of the pooled
/// two-proportion z-test (the same as R's <c>prop.test(correct = FALSE)</c>).
/// </summary>
public sealed record ProportionComparison(double Lift, double RelativeLift, double ZScore, double PValue);

/// <summary>
/// Whether units reached the variants in the shares they were assigned. A sample ratio mismatch means the
/// assignment or the counting is broken (a variant that crashes before logging, a redirect that loses users),
/// and then no comparison of that experiment can be trusted.
/// </summary>
public sealed record SampleRatioCheck(double ChiSquare, int DegreesOfFreedom, double PValue, bool Mismatch);

/// <summary>
/// The statistics an A/B experiment report needs, computed from counts alone. The special functions are
/// implemented here rather than taken from a package because the domain has no dependencies, and because
/// p-values far in the tail (an SRM check over millions of units) must keep their digits: nothing here
/// computes a small probability as 1 minus a large one.
/// </summary>
public static class ExperimentStatistics
{
    /// <summary>The p-value below which a sample ratio counts as a mismatch, as GrowthBook and Statsig flag SRM.</summary>
    public const double SampleRatioMismatchThreshold = 0.001;

    /// <summary>Φ⁻¹(0.975) = 1.95996398454005423552…, the normal quantile of a two-sided 95% interval, as the nearest double.</summary>
    private const double Z95 = 1.9599639845400543;

    private const double Sqrt2 = 1.4142135623730951;

    /// <summary>ln √π = ln Γ(1/2).</summary>
    private const double LogSqrtPi = 0.5723649429247001;

    /// <summary>2⁻⁵², the spacing of doubles at 1: a series term or fraction step this small changes nothing more.</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>
    /// Far more than the series and the continued fraction need for any degrees of freedom an experiment has
    /// (they converge in a few times √(df) steps); reaching it means the arithmetic broke, not that more steps would help.
    /// </summary>
    private const int MaxIterations = 100_000;

    /// <summary>Guards the continued fraction's divisions against zero (Numerical Recipes' FPMIN).</summary>
    private const double TinyDivisor = 1e-300;

    public static ProportionEstimate Proportion(long successes, long trials)
    {
        ValidateCounts(successes, trials, nameof(successes), nameof(trials));
        if (trials == 0)
        {
            return new ProportionEstimate(0, 0, 0, 0, 1);
        }

        double n = trials;
        double s = successes;
        var zSquared = Z95 * Z95;
        // (s + z²/2 ± z·√(s·f/n + z²/4)) / (n + z²): the Wilson bounds multiplied through by n.
        var center = s + zSquared / 2;
        var spread = Z95 * Math.Sqrt(s * (n - s) / n + zSquared / 4);
        var denominator = n + zSquared;
        // At no successes the lower bound is exactly 0 (at all successes the upper exactly 1); computed, rounding
        // could leave it a hair beside that.
        var low = successes == 0 ? 0 : (center - spread) / denominator;
        var high = successes == trials ? 1 : (center + spread) / denominator;
        return new ProportionEstimate(successes, trials, s / n, low, high);
    }

    /// <summary>
    /// Pooled two-proportion z-test of a variant against the control. Without trials on either side, or when the
    /// pooled rate is 0 or 1 (no variance to test against), there is no evidence either way: z 0, p-value 1.
    /// </summary>
    public static ProportionComparison Compare(long controlSuccesses, long controlTrials, long successes, long trials)
    {
        ValidateCounts(controlSuccesses, controlTrials, nameof(controlSuccesses), nameof(controlTrials));
        ValidateCounts(successes, trials, nameof(successes), nameof(trials));
        var controlRate = controlTrials == 0 ? 0 : (double)controlSuccesses / controlTrials;
        var rate = trials == 0 ? 0 : (double)successes / trials;
        var lift = rate - controlRate;
        var relativeLift = controlRate == 0 ? 0 : lift / controlRate;
        if (controlTrials == 0 || trials == 0)
        {
            return new ProportionComparison(lift, relativeLift, 0, 1);
        }

        var pooledRate = ((double)controlSuccesses + successes) / ((double)controlTrials + trials);
        var variance = pooledRate * (1 - pooledRate) * (1.0 / controlTrials + 1.0 / trials);
        if (variance == 0)
        {
            return new ProportionComparison(lift, relativeLift, 0, 1);
        }

        var z = lift / Math.Sqrt(variance);
        // 2·Φ(−|z|) = erfc(|z|/√2), taken from the tail directly so that a large z keeps a tiny, positive p-value.
        return new ProportionComparison(lift, relativeLift, z, Erfc(Math.Abs(z) / Sqrt2));
    }

    /// <summary>
    /// Pearson's chi-square goodness of fit of the observed units per variant against the shares their weights
    /// give, with k − 1 degrees of freedom for the k variants of positive weight. A variant of weight 0 expects no
    /// units: none is no evidence either way, any is a broken assignment (chi-square infinite, p-value 0).
    /// No units at all is no evidence either: p-value 1.
    /// </summary>
    public static SampleRatioCheck SampleRatio(IReadOnlyList<long> observed, IReadOnlyList<int> weights)
    {
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(weights);
        if (observed.Count != weights.Count)
        {
            throw new ArgumentException("Each variant needs one observed count and one weight.", nameof(weights));
        }

        if (observed.Any(count => count < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(observed), "Observed counts cannot be negative.");
        }

        if (weights.Any(weight => weight < 0))
        {
            throw new ArgumentException("Weights cannot be negative.", nameof(weights));
        }

        double totalWeight = weights.Sum(weight => (long)weight);
        if (totalWeight == 0)
        {
            throw new ArgumentException("At least one variant needs a positive weight.", nameof(weights));
        }

        var degreesOfFreedom = weights.Count(weight => weight > 0) - 1;
        double totalObserved = observed.Sum();
        if (totalObserved == 0)
        {
            return new SampleRatioCheck(0, degreesOfFreedom, 1, false);
        }

        var chiSquare = 0.0;
        for (var i = 0; i < observed.Count; i++)
        {
            if (weights[i] == 0)
            {
                chiSquare += observed[i] == 0 ? 0 : double.PositiveInfinity;
                continue;
            }

            var expected = totalObserved * weights[i] / totalWeight;
            var deviation = observed[i] - expected;
            chiSquare += deviation * deviation / expected;
        }

        // With a single live variant every unit belongs to it: the chi-square is 0, or infinite if any is elsewhere.
        var pValue = degreesOfFreedom == 0
            ? (chiSquare == 0 ? 1 : 0)
            : ChiSquareSurvival(chiSquare, degreesOfFreedom);
        return new SampleRatioCheck(chiSquare, degreesOfFreedom, pValue, pValue < SampleRatioMismatchThreshold);
    }

    /// <summary>
    /// The standard normal distribution function Φ(z) = erfc(−z/√2) / 2: to about 1e-15 relative near the middle
    /// and 1e-13 far in the lower tail (Φ(−37) ≈ 6e-300), where the rounding of z/√2 is magnified by z².
    /// </summary>
    public static double NormalCdf(double z) => Erfc(-z / Sqrt2) / 2;

    /// <summary>
    /// The chi-square upper tail P(X ≥ x): the regularized upper incomplete gamma function Q(df/2, x/2), by its
    /// series (through 1 − P, where Q is not small) or its continued fraction (directly, where Q may be tiny),
    /// as in Numerical Recipes' <c>gammq</c>. For df = 2 it is exp(−x/2) and for df = 1 erfc(√(x/2)).
    /// Relative error below 1e-13 up to df 100, however small the tail (tried down to 1e-300); beyond, the terms of
    /// the common factor grow and cancel (about 1e-11 at df 1000, 1e-9 at df 100,000), still far finer than an SRM
    /// check over its few variants needs.
    /// </summary>
    public static double ChiSquareSurvival(double x, int degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degreesOfFreedom, 1);
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 1;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0;
        }

        var shape = degreesOfFreedom / 2.0;
        var y = x / 2;
        // ln(y^a·e^(−y) / Γ(a)), the factor both expansions share.
        var logFactor = shape * Math.Log(y) - y - LogGammaOfHalf(degreesOfFreedom);
        return y < shape + 1
            ? 1 - Math.Exp(logFactor) * LowerGammaSeries(shape, y)
            : Math.Exp(logFactor) * UpperGammaContinuedFraction(shape, y);
    }

    private static void ValidateCounts(long successes, long trials, string successesName, string trialsName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials, trialsName);
        ArgumentOutOfRangeException.ThrowIfNegative(successes, successesName);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials, successesName);
    }

    /// <summary>
    /// ln Γ(df/2). Half of a whole number is whole or a half, so Γ is a finite product (times √π for a half):
    /// exact up to rounding, with no approximation to trust.
    /// </summary>
    private static double LogGammaOfHalf(int degreesOfFreedom)
    {
        var shape = degreesOfFreedom / 2.0;
        var odd = degreesOfFreedom % 2 == 1;
        // Γ(n) = 1·2·…·(n−1); Γ(n + ½) = √π·½·(3/2)·…·(n − ½).
        var logGamma = odd ? LogSqrtPi : 0;
        for (var factor = odd ? 0.5 : 1; factor < shape; factor++)
        {
            logGamma += Math.Log(factor);
        }

        return logGamma;
    }

    /// <summary>Σ yⁿ / (a·(a+1)·…·(a+n)), so that P(a, y) = y^a·e^(−y)/Γ(a) times it; converges fast for y &lt; a + 1.</summary>
    private static double LowerGammaSeries(double shape, double y)
    {
        var term = 1 / shape;
        var sum = term;
        for (var n = 1; n <= MaxIterations; n++)
        {
            term *= y / (shape + n);
            sum += term;
            if (Math.Abs(term) <= Math.Abs(sum) * MachineEpsilon)
            {
                return sum;
            }
        }

        throw new ArithmeticException($"The incomplete gamma series did not converge for a = {shape}, x = {y}.");
    }

    /// <summary>
    /// The continued fraction 1/(y+1−a− 1·(1−a)/(y+3−a− 2·(2−a)/(y+5−a− …))) by the modified Lentz method, so that
    /// Q(a, y) = y^a·e^(−y)/Γ(a) times it; converges fast for y ≥ a + 1.
    /// </summary>
    private static double UpperGammaContinuedFraction(double shape, double y)
    {
        var b = y + 1 - shape;
        var c = 1 / TinyDivisor;
        var d = 1 / b;
        var fraction = d;
        for (var n = 1; n <= MaxIterations; n++)
        {
            var a = -n * (n - shape);
            b += 2;
            d = a * d + b;
            d = Math.Abs(d) < TinyDivisor ? TinyDivisor : d;
            c = b + a / c;
            c = Math.Abs(c) < TinyDivisor ? TinyDivisor : c;
            d = 1 / d;
            var step = d * c;
            fraction *= step;
            if (Math.Abs(step - 1) <= MachineEpsilon)
            {
                return fraction;
            }
        }

        throw new ArithmeticException($"The incomplete gamma continued fraction did not converge for a = {shape}, x = {y}.");
    }

    // W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–637,
    // coefficients as in Netlib SPECFUN's CALERF: erf on |x| ≤ 0.46875 ...
    private static readonly double[] ErfNumerator =
        [3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2, 3.20937758913846947e3, 1.85777706184603153e-1];

    private static readonly double[] ErfDenominator =
        [2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3, 2.84423683343917062e3];

    // ... erfc(x)·exp(x²) on 0.46875 < x ≤ 4 ...
    private static readonly double[] MiddleNumerator =
    [
        5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1, 2.98635138197400131e2,
        8.81952221241769090e2, 1.71204761263407058e3, 2.05107837782607147e3, 1.23033935479799725e3,
        2.15311535474403846e-8,
    ];

    private static readonly double[] MiddleDenominator =
    [
        1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2, 1.62138957456669019e3,
        3.29079923573345963e3, 4.36261909014324716e3, 3.43936767414372164e3, 1.23033935480374942e3,
    ];

    // ... and erfc(x)·exp(x²)·x in powers of 1/x² beyond 4.
    private static readonly double[] TailNumerator =
    [
        3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1, 1.60837851487422766e-2,
        6.58749161529837803e-4, 1.63153871373020978e-2,
    ];

    private static readonly double[] TailDenominator =
        [2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1, 6.05183413124413191e-2, 2.33520497626869185e-3];

    /// <summary>1/√π.</summary>
    private const double InverseSqrtPi = 5.6418958354775628695e-1;

    /// <summary>Beyond this erfc(x) is below the smallest double (Cody's XBIG).</summary>
    private const double ErfcUnderflow = 26.543;

    /// <summary>
    /// The complementary error function by Cody's approximations (relative error below 1e-15). The tail is
    /// computed as erfc itself, never as 1 − erf, so it keeps that relative precision down to 1e-300.
    /// </summary>
    private static double Erfc(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        var y = Math.Abs(x);
        if (y <= 0.46875)
        {
            var ySquared = y * y;
            var numerator = ErfNumerator[4] * ySquared;
            var denominator = ySquared;
            for (var i = 0; i < 3; i++)
            {
                numerator = (numerator + ErfNumerator[i]) * ySquared;
                denominator = (denominator + ErfDenominator[i]) * ySquared;
            }

            return 1 - x * (numerator + ErfNumerator[3]) / (denominator + ErfDenominator[3]);
        }

        var upperTail = y >= ErfcUnderflow ? 0 : ScaledErfc(y) * ExpMinusSquare(y);
        return x < 0 ? 2 - upperTail : upperTail;
    }

    /// <summary>erfc(y)·exp(y²) for y &gt; 0.46875.</summary>
    private static double ScaledErfc(double y)
    {
        if (y <= 4)
        {
            var numerator = MiddleNumerator[8] * y;
            var denominator = y;
            for (var i = 0; i < 7; i++)
            {
                numerator = (numerator + MiddleNumerator[i]) * y;
                denominator = (denominator + MiddleDenominator[i]) * y;
            }

            return (numerator + MiddleNumerator[7]) / (denominator + MiddleDenominator[7]);
        }

        var inverseSquare = 1 / (y * y);
        var tailNumerator = TailNumerator[5] * inverseSquare;
        var tailDenominator = inverseSquare;
        for (var i = 0; i < 4; i++)
        {
            tailNumerator = (tailNumerator + TailNumerator[i]) * inverseSquare;
            tailDenominator = (tailDenominator + TailDenominator[i]) * inverseSquare;
        }

        var correction = inverseSquare * (tailNumerator + TailNumerator[4]) / (tailDenominator + TailDenominator[4]);
        return (InverseSqrtPi - correction) / y;
    }

    /// <summary>
    /// exp(−y²) without the rounding error of y² itself, which exp would multiply by y² (Cody's split): y is cut to
    /// a multiple of 1/16, whose square is exact, and the small rest goes into a second exp.
    /// </summary>
    private static double ExpMinusSquare(double y)
    {
        var coarse = Math.Truncate(16 * y) / 16;
        var rest = (y - coarse) * (y + coarse);
        return Math.Exp(-coarse * coarse) * Math.Exp(-rest);
    }
}
