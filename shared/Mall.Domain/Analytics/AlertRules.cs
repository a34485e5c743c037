namespace Mall.Domain.Analytics;

/// <summary>The metrics the seed's monitoring table watches (SPEC §4.13; seed section 七).</summary>
public enum AlertMetric
{
    /// <summary>Distinct visitors per page view in an hour (流量质量: UV/PV比).</summary>
    UvPvRatio,

    /// <summary>Customers registered in an hour per distinct visitor (新客占比).</summary>
    NewCustomerShare,

    /// <summary>Paid orders per add-to-cart over the rule's window (加购-支付转化率).</summary>
    CartToPaid,

    /// <summary>Of the visitors of the 7 days before a day, the share who came back that day (7日回访率).</summary>
    RevisitRate,

    /// <summary>Of the visitors of the 7 days before a day, the share who opened a session that day (会话打开率).</summary>
    SessionOpenRate,
}

public enum AlertComparison
{
    Below,
    Above,
}

public enum AlertPeriod
{
    Hour,
    Day,
}

/// <summary>
/// One configured rule: the metric, compared with a threshold, over a window of periods, for a number
/// of consecutive periods. A period whose base (the denominator) is smaller than <see cref="MinimumBase"/>
/// has no reading, so a quiet night does not raise "conversion below 45%" on two add-to-carts.
/// </summary>
public sealed record AlertRule(
    string Id,
    AlertMetric Metric,
    AlertComparison Comparison,
    double Threshold,
    AlertPeriod Period,
    int WindowPeriods,
    int ConsecutivePeriods,
    long MinimumBase,
    string Action,
    bool StartsWakeUp)
{
    public string Describe() =>
        $"{Metric} {(Comparison == AlertComparison.Below ? "<" : ">")} {Threshold:0.###} for {ConsecutivePeriods} consecutive {(Period == AlertPeriod.Hour ? "hour" : "day")}(s)"
        + (WindowPeriods > 1 ? $", each over the last {WindowPeriods} {(Period == AlertPeriod.Hour ? "hours" : "days")}" : string.Empty);

    /// <summary>Whether the rule holds now, given its readings oldest first (the last is the latest complete period).</summary>
    public AlertAssessment Assess(IReadOnlyList<double?> readings)
    {
        if (readings.Count < ConsecutivePeriods || readings[^1] is null)
        {
            return AlertAssessment.Unknown;
        }

        var recent = readings.Skip(readings.Count - ConsecutivePeriods).ToList();
        if (recent.All(value => value is { } v && Breaches(v)))
        {
            return AlertAssessment.Breached;
        }

        return Breaches(readings[^1]!.Value) ? AlertAssessment.Unknown : AlertAssessment.Clear;
    }

    public bool Breaches(double value) => Comparison == AlertComparison.Below ? value < Threshold : value > Threshold;

    /// <summary>The seed's monitoring table as rules.</summary>
    public static IReadOnlyList<AlertRule> SeedDefaults { get; } =
    [
        new("uv-pv-ratio", AlertMetric.UvPvRatio, AlertComparison.Below, 0.3, AlertPeriod.Hour, 1, 6, 50, "启动备用推广方案 Switch to the backup promotion plan", false),
        new("new-customer-share", AlertMetric.NewCustomerShare, AlertComparison.Below, 0.3, AlertPeriod.Hour, 1, 6, 50, "启动备用推广方案 Switch to the backup promotion plan", false),
        new("cart-to-paid", AlertMetric.CartToPaid, AlertComparison.Below, 0.45, AlertPeriod.Hour, 24, 1, 20, "优化支付流程 Check the payment flow", false),
        new("revisit-rate", AlertMetric.RevisitRate, AlertComparison.Below, 0.08, AlertPeriod.Day, 1, 3, 50, "推送唤醒活动 Start a wake-up campaign", true),
        new("session-open-rate", AlertMetric.SessionOpenRate, AlertComparison.Below, 0.08, AlertPeriod.Day, 1, 3, 50, "推送唤醒活动 Start a wake-up campaign", true),
    ];
}

/// <summary>Breached: raise (or keep) an alert; Clear: resolve it; Unknown: no reading or not yet long enough, change nothing.</summary>
public enum AlertAssessment
{
    Unknown,
    Breached,
    Clear,
}

/// <summary>Readings of the metrics from counted figures; null when the base is below the rule's minimum.</summary>
public static class AlertReadings
{
    public static double? Hourly(AlertRule rule, Tally window) => rule.Metric switch
    {
        AlertMetric.UvPvRatio => Ratio(window.Visitors, window.Count(TrackedEvent.PageView), rule.MinimumBase),
        AlertMetric.NewCustomerShare => Ratio(window.Count(TrackedEvent.CustomerRegistered), window.Visitors, rule.MinimumBase),
        AlertMetric.CartToPaid => Ratio(window.Count(TrackedEvent.OrderPaid), window.Count(TrackedEvent.AddToCart), rule.MinimumBase),
        _ => throw new ArgumentException($"{rule.Metric} is a daily metric.", nameof(rule)),
    };

    public static double? Daily(AlertRule rule, DayActivity day) => rule.Metric switch
    {
        AlertMetric.RevisitRate => Ratio(day.ReturningVisitors, day.PriorWeekVisitors, rule.MinimumBase),
        AlertMetric.SessionOpenRate => Ratio(day.PriorWeekSessionOpeners, day.PriorWeekVisitors, rule.MinimumBase),
        _ => throw new ArgumentException($"{rule.Metric} is an hourly metric.", nameof(rule)),
    };

    private static double? Ratio(long numerator, long denominator, long minimumBase) =>
        denominator > 0 && denominator >= minimumBase ? (double)numerator / denominator : null;
}

/// <summary>
/// A closed CST day's activity against the week before it: its visitors, the visitors of the 7 days
/// before it, how many of those came back on the day, and how many of those opened a session on the day.
/// </summary>
public sealed record DayActivity(long Visitors, long PriorWeekVisitors, long ReturningVisitors, long PriorWeekSessionOpeners);
