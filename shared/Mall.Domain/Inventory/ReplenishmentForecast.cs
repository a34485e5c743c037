namespace Mall.Domain.Inventory;

/// <summary>
/// A SKU's expected daily demand: a level (the average day's units, with the weekday pattern taken out)
/// times the weekday's index, and how much a day's demand varies around it.
/// </summary>
/// <param name="Level">Units on an average day, from simple exponential smoothing of the deseasonalised history.</param>
/// <param name="WeekdayIndex">Multiplicative index per <see cref="DayOfWeek"/> (Sunday = 0); all 1 without a weekday profile.</param>
/// <param name="StandardDeviation">Sample standard deviation of the deseasonalised daily units.</param>
public sealed record DemandForecast(double Level, IReadOnlyList<double> WeekdayIndex, double StandardDeviation)
{
    public static readonly IReadOnlyList<double> Flat = [1, 1, 1, 1, 1, 1, 1];

    public static readonly DemandForecast None = new(0, Flat, 0);

    public double On(DateOnly day) => Level * WeekdayIndex[(int)day.DayOfWeek];

    /// <summary>
    /// Units expected from <paramref name="fromDays"/> to <paramref name="toDays"/> after the start of
    /// <paramref name="today"/>: each day's forecast spread evenly over the day, so a lead time of 36 hours
    /// takes today's demand and half of tomorrow's.
    /// </summary>
    public double Between(DateOnly today, double fromDays, double toDays)
    {
        var total = 0.0;
        for (var day = (int)Math.Floor(fromDays); day < toDays; day++)
        {
            var covered = Math.Min(toDays, day + 1) - Math.Max(fromDays, day);
            total += On(today.AddDays(day)) * covered;
        }

        return total;
    }
}

/// <summary>
/// Daily demand from a SKU's recent daily sales. Simple exponential smoothing follows a level that moves
/// (a product catching on or fading) while damping day-to-day noise, which a plain average over four weeks
/// does not; the weekday profile keeps a regular weekly pattern (weekend peaks) out of the level and puts
/// it back per day.
/// </summary>
public static class DemandForecasting
{
    /// <summary>Two of each weekday at least, or an index would rest on a single day.</summary>
    public const int MinDaysForWeekdayProfile = 14;

    /// <summary>Below a unit a day, weekday counts are mostly zeros and ones: their ratios are noise, not a pattern.</summary>
    public const double MinDailyUnitsForWeekdayProfile = 1.0;

    /// <summary>The first days' mean starts the smoothing, so one odd first day does not.</summary>
    public const int InitialLevelDays = 7;

    /// <param name="firstDay">The CST day of <paramref name="unitsPerDay"/>[0]; the days follow one another.</param>
    /// <param name="unitsPerDay">Net units sold per day, oldest first, zero for days without sales.</param>
    /// <param name="smoothingBps">The smoothing constant α in basis points: the weight of the newest day.</param>
    public static DemandForecast Forecast(DateOnly firstDay, IReadOnlyList<long> unitsPerDay, int smoothingBps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(smoothingBps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(smoothingBps, 10_000);
        if (unitsPerDay.Count == 0)
        {
            return DemandForecast.None;
        }

        // A refund counted before its sale can leave a day briefly below zero; nobody sells fewer than none.
        var units = unitsPerDay.Select(u => (double)Math.Max(0, u)).ToList();
        var index = WeekdayIndex(firstDay, units);

        // A weekday that never sells says nothing about the level (and its forecast is zero anyway).
        var deseasonalised = units
            .Select((u, i) => (Units: u, Index: index[(int)firstDay.AddDays(i).DayOfWeek]))
            .Where(d => d.Index > 0)
            .Select(d => d.Units / d.Index)
            .ToList();
        if (deseasonalised.Count == 0)
        {
            return DemandForecast.None;
        }

        var alpha = smoothingBps / 10_000.0;
        var level = deseasonalised.Take(InitialLevelDays).Average();
        foreach (var value in deseasonalised)
        {
            level = (alpha * value) + ((1 - alpha) * level);
        }

        return new DemandForecast(level, index, SampleStandardDeviation(deseasonalised));
    }

    /// <summary>
    /// Each weekday's mean over the mean of the seven weekday means (ratio to mean), so the indices average 1
    /// even when the history does not hold every weekday equally often; flat when the history is too short or thin.
    /// </summary>
    private static IReadOnlyList<double> WeekdayIndex(DateOnly firstDay, List<double> units)
    {
        if (units.Count < MinDaysForWeekdayProfile || units.Average() < MinDailyUnitsForWeekdayProfile)
        {
            return DemandForecast.Flat;
        }

        var means = Enumerable.Range(0, 7)
            .Select(weekday => units.Where((_, i) => (int)firstDay.AddDays(i).DayOfWeek == weekday).Average())
            .ToList();
        var overall = means.Average();
        return means.Select(m => m / overall).ToList();
    }

    private static double SampleStandardDeviation(List<double> values)
    {
        if (values.Count < 2)
        {
            return 0;
        }

        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}
