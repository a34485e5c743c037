namespace Mall.Domain.Common;

/// <summary>
/// The business calendar runs on China Standard Time (UTC+8, no daylight saving);
/// storage stays in UTC. Fixed offset on purpose: no dependency on the host's tz database.
/// </summary>
public static class ChinaTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(8);

    public static DateTimeOffset ToCst(DateTimeOffset instant) => instant.ToOffset(Offset);

    /// <summary>The CST calendar date an instant falls on.</summary>
    public static DateOnly DateOf(DateTimeOffset instant) => DateOnly.FromDateTime(ToCst(instant).DateTime);

    /// <summary>A CST date as it appears in keys and events ("2026-11-30").</summary>
    public static string DayKey(DateOnly cstDate) => cstDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The UTC instant at which a CST calendar date begins.</summary>
    public static DateTimeOffset StartOf(DateOnly cstDate) =>
        new DateTimeOffset(cstDate.ToDateTime(TimeOnly.MinValue), Offset).ToUniversalTime();

    /// <summary>ISO-8601 week label ("2026-W48") of the CST date an instant falls on.</summary>
    public static string IsoWeekOf(DateTimeOffset instant)
    {
        var date = ToCst(instant).DateTime;
        return $"{System.Globalization.ISOWeek.GetYear(date):D4}-W{System.Globalization.ISOWeek.GetWeekOfYear(date):D2}";
    }
}
