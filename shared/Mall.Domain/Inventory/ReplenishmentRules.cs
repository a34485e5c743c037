namespace Mall.Domain.Inventory;

/// <summary>The settings the replenishment rules apply (defaults in ReplenishmentOptions).</summary>
public sealed record ReplenishmentPolicy
{
    public required int LeadTimeHours { get; init; }

    /// <summary>The chance, in basis points, that stock lasts until an order placed at the reorder point arrives.</summary>
    public required int ServiceLevelBps { get; init; }

    /// <summary>Days of demand an order covers beyond the lead time (until the next order is likely).</summary>
    public required int ReviewDays { get; init; }

    /// <summary>The smoothing constant α of the forecast, in basis points.</summary>
    public required int SmoothingBps { get; init; }

    public double LeadTimeDays => LeadTimeHours / 24.0;

    /// <summary>z: the standard normal quantile of the service level (1.645 for 95%).</summary>
    public double ServiceFactor => StandardNormal.InverseCdf(ServiceLevelBps / 10_000.0);
}

/// <summary>What one SKU needs today; <see cref="SuggestedQuantity"/> is zero while stock is above the reorder point.</summary>
/// <param name="DemandOverLeadTime">Units expected to sell before an order placed now arrives.</param>
/// <param name="SafetyStock">z × σ(daily demand) × √(lead time in days): covers a lead time that sells more than expected.</param>
/// <param name="ReorderPoint">Demand over the lead time plus safety stock, in whole units: at or below it, order.</param>
/// <param name="OrderUpTo">The reorder point plus the review period's demand: what an order tops stock up to.</param>
/// <param name="DaysOfCover">Days on hand lasts at the forecast level; null without demand.</param>
public sealed record ReplenishmentAdvice(double DemandOverLeadTime, double SafetyStock, long ReorderPoint, long OrderUpTo, long SuggestedQuantity, double? DaysOfCover);

public static class ReplenishmentRules
{
    /// <summary>
    /// The reorder-point rule on the stock still free to sell. Units held for unpaid orders, paid orders not yet
    /// shipped and paid presale deposits were taken out of it when they were placed, so they are not demand again.
    /// </summary>
    /// <param name="onHand">Available stock (the SKU's stock counter).</param>
    /// <param name="today">The CST day the lead time starts on (the weekday profile applies per day from it).</param>
    public static ReplenishmentAdvice Advise(DemandForecast forecast, long onHand, DateOnly today, ReplenishmentPolicy policy)
    {
        var stock = Math.Max(0, onHand);
        var leadDays = policy.LeadTimeDays;
        var leadDemand = forecast.Between(today, 0, leadDays);
        var safetyStock = policy.ServiceFactor * forecast.StandardDeviation * Math.Sqrt(leadDays);
        var reviewDemand = forecast.Between(today, leadDays, leadDays + policy.ReviewDays);
        var reorderPoint = WholeUnits(leadDemand + safetyStock);
        var orderUpTo = WholeUnits(leadDemand + safetyStock + reviewDemand);
        var suggested = stock <= reorderPoint ? Math.Max(0, orderUpTo - stock) : 0;
        return new ReplenishmentAdvice(leadDemand, safetyStock, reorderPoint, orderUpTo, suggested, forecast.Level > 0 ? stock / forecast.Level : null);
    }

    /// <summary>Stock is whole units: 4.2 expected needs 5. Rounded to 1e-9 first so a sum that is 4 up to floating-point error stays 4.</summary>
    private static long WholeUnits(double units) => (long)Math.Ceiling(Math.Round(units, 9));
}

/// <summary>
/// Inventory turnover per month, counted in units (the mall keeps no unit costs): units sold over the last
/// <see cref="WindowDays"/> days against the average units on hand over them. Stock is not recorded day by day,
/// so the average is the midpoint of the window's first and last stock, the first taken as today's stock plus
/// what sold since (no restock within the window): on hand + sold / 2. A restock within the window makes it an
/// estimate.
/// </summary>
public static class InventoryTurnover
{
    public const int WindowDays = 30;

    public static double AverageOnHand(long onHand, long soldInWindow) => Math.Max(0, onHand) + (Math.Max(0, soldInWindow) / 2.0);

    /// <summary>Null when nothing was on hand or sold (no stock to turn over).</summary>
    public static double? PerMonth(long soldInWindow, double averageOnHand) => averageOnHand > 0 ? Math.Max(0, soldInWindow) / averageOnHand : null;
}

/// <summary>The standard normal distribution's quantile function, for safety factors.</summary>
public static class StandardNormal
{
    private static readonly double[] A = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
    private static readonly double[] B = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
    private static readonly double[] C = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
    private static readonly double[] D = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
    private const double LowRegion = 0.02425;

    /// <summary>
    /// Φ⁻¹(p) by Peter Acklam's rational approximation (relative error below 1.15e-9): a rational function of
    /// p − ½ in the central region, of √(−2 ln p) in the tails.
    /// </summary>
    public static double InverseCdf(double p)
    {
        if (p is <= 0 or >= 1 || double.IsNaN(p))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "A probability strictly between 0 and 1.");
        }

        if (p < LowRegion)
        {
            return Tail(Math.Sqrt(-2 * Math.Log(p)));
        }

        if (p > 1 - LowRegion)
        {
            return -Tail(Math.Sqrt(-2 * Math.Log(1 - p)));
        }

        var q = p - 0.5;
        var r = q * q;
        return Polynomial(A, r) * q / ((Polynomial(B, r) * r) + 1);
    }

    private static double Tail(double q) => Polynomial(C, q) / ((Polynomial(D, q) * q) + 1);

    /// <summary>Horner's rule, highest power first.</summary>
    private static double Polynomial(double[] coefficients, double x) => coefficients.Aggregate(0.0, (sum, c) => (sum * x) + c);
}
