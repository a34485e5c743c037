using Mall.Application.Inventory;
using Mall.Domain.Inventory;

namespace Mall.UnitTests.Inventory;

/// <summary>The replenishment rules on histories small enough to check by hand; the arithmetic is in the comments.</summary>
public sealed class ReplenishmentRulesTests
{
    /// <summary>2026-11-02 is a Monday.</summary>
    private static readonly DateOnly Monday = new(2026, 11, 2);

    private static readonly ReplenishmentPolicy Seed = new ReplenishmentOptions().ToPolicy();

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.95, 1.6448536269514722)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.99, 2.3263478740408408)]
    [InlineData(0.01, -2.3263478740408408)]
    [InlineData(0.02, -2.053748910631823)]
    [InlineData(0.999, 3.090232306167813)]
    public void The_inverse_normal_matches_the_tables_in_the_centre_and_both_tails(double p, double z)
    {
        // Acklam's approximation is good to a relative 1.15e-9.
        Assert.Equal(z, StandardNormal.InverseCdf(p), tolerance: 1.15e-9 * Math.Max(1, Math.Abs(z)));
    }

    [Fact]
    public void The_seed_service_level_of_95_percent_is_a_safety_factor_of_1_645()
    {
        Assert.Equal(1.6448536269514722, Seed.ServiceFactor, tolerance: 2e-9);
        Assert.Equal(2.0, Seed.LeadTimeDays);
    }

    [Fact]
    public void A_short_history_is_smoothed_without_a_weekday_profile()
    {
        // 5 days (< 14): every weekday index is 1. α = 0.5.
        // Start: mean of the first (up to 7) days = (2+4+3+5+6)/5 = 4.
        // l = .5·2 + .5·4 = 3; .5·4 + .5·3 = 3.5; .5·3 + .5·3.5 = 3.25; .5·5 + .5·3.25 = 4.125; .5·6 + .5·4.125 = 5.0625.
        // σ: mean 4, squared deviations 4+0+1+1+4 = 10, /(5−1) = 2.5, √2.5 = 1.5811388300841898.
        var forecast = DemandForecasting.Forecast(Monday, [2, 4, 3, 5, 6], smoothingBps: 5000);

        Assert.Equal(5.0625, forecast.Level, 12);
        Assert.Equal(Math.Sqrt(2.5), forecast.StandardDeviation, 12);
        Assert.Equal(DemandForecast.Flat, forecast.WeekdayIndex);
    }

    [Theory]
    // Lead time 2 days: 2 × 5.0625 = 10.125. Safety stock 1.6448536 × 1.5811388 × √2 = 3.6780045.
    // Reorder point ⌈10.125 + 3.678⌉ = ⌈13.803⌉ = 14. Review 7 days: 7 × 5.0625 = 35.4375; order up to ⌈49.2405⌉ = 50.
    [InlineData(10, 40, 1.9753086419753085)] // 10 ≤ 14: 50 − 10 = 40; cover 10 / 5.0625
    [InlineData(14, 36, 2.765432098765432)]  // at the reorder point: order, 50 − 14 = 36
    [InlineData(15, 0, 2.962962962962963)]   // above it: nothing yet
    [InlineData(-3, 50, 0.0)]                // a counter below zero counts as empty
    public void The_reorder_point_is_lead_time_demand_plus_safety_stock_and_an_order_tops_up_a_review_period(long onHand, long suggested, double cover)
    {
        var forecast = DemandForecasting.Forecast(Monday, [2, 4, 3, 5, 6], smoothingBps: 5000);

        var advice = ReplenishmentRules.Advise(forecast, onHand, Monday.AddDays(5), Seed);

        Assert.Equal(10.125, advice.DemandOverLeadTime, 9);
        Assert.Equal(3.6780045229005722, advice.SafetyStock, tolerance: 1e-8);
        Assert.Equal(14, advice.ReorderPoint);
        Assert.Equal(50, advice.OrderUpTo);
        Assert.Equal(suggested, advice.SuggestedQuantity);
        Assert.Equal(cover, advice.DaysOfCover!.Value, 12);
    }

    [Fact]
    public void A_weekly_pattern_becomes_a_weekday_profile_and_the_lead_time_takes_its_own_days()
    {
        // Two weeks from a Monday: Mon–Fri 2 units, Sat and Sun 5. Mean (5·2 + 2·5)/7 = 20/7 ≥ 1 → profile.
        // Index: 2 / (20/7) = 0.7 on weekdays, 5 / (20/7) = 1.75 at the weekend. Deseasonalised every day is 20/7:
        // level 20/7 whatever α, σ = 0.
        long[] week = [2, 2, 2, 2, 2, 5, 5];
        var forecast = DemandForecasting.Forecast(Monday, [.. week, .. week], smoothingBps: 2000);

        Assert.Equal(20.0 / 7, forecast.Level, 12);
        Assert.Equal(0.7, forecast.WeekdayIndex[(int)DayOfWeek.Tuesday], 12);
        Assert.Equal(1.75, forecast.WeekdayIndex[(int)DayOfWeek.Sunday], 12);
        Assert.Equal(0, forecast.StandardDeviation, 12);

        // Today is the Monday after: lead time Mon + Tue = 2 + 2 = 4 (4.000000000000001 in floating point: still 4).
        // Review Wed–Tue: 5 weekdays × 2 + 2 weekend days × 5 = 20 → order up to 24; on hand 3 → 21. Cover 3 / (20/7) = 1.05.
        var advice = ReplenishmentRules.Advise(forecast, 3, Monday.AddDays(14), Seed);
        Assert.Equal(4, advice.DemandOverLeadTime, 9);
        Assert.Equal(4, advice.ReorderPoint);
        Assert.Equal(24, advice.OrderUpTo);
        Assert.Equal(21, advice.SuggestedQuantity);
        Assert.Equal(1.05, advice.DaysOfCover!.Value, 12);

        // From the Friday instead, 36 hours: all of Friday (2) and half of Saturday (5 / 2) = 4.5 → reorder point 5.
        var friday = ReplenishmentRules.Advise(forecast, 3, Monday.AddDays(18), Seed with { LeadTimeHours = 36 });
        Assert.Equal(4.5, friday.DemandOverLeadTime, 9);
        Assert.Equal(5, friday.ReorderPoint);
    }

    [Fact]
    public void A_weekday_that_never_sells_gets_no_demand_and_does_not_drag_the_level_down()
    {
        // Two weeks, closed on Sundays: Mon–Sat 3 units. Mean 18/7. Index Mon–Sat 3 / (18/7) = 7/6, Sunday 0.
        // Sundays are left out of the smoothing; every other day deseasonalises to 3 / (7/6) = 18/7.
        long[] week = [3, 3, 3, 3, 3, 3, 0];
        var forecast = DemandForecasting.Forecast(Monday, [.. week, .. week], smoothingBps: 2000);

        Assert.Equal(18.0 / 7, forecast.Level, 12);
        Assert.Equal(0, forecast.On(Monday.AddDays(6)));
        Assert.Equal(3, forecast.On(Monday.AddDays(7)), 12);
    }

    [Fact]
    public void A_thin_history_keeps_a_flat_profile_rather_than_read_a_pattern_into_single_sales()
    {
        // Two weeks with one unit on each Saturday: mean 2/14 < 1 a day, so no weekday index of 7.
        long[] week = [0, 0, 0, 0, 0, 1, 0];
        var forecast = DemandForecasting.Forecast(Monday, [.. week, .. week], smoothingBps: 2000);

        Assert.Equal(DemandForecast.Flat, forecast.WeekdayIndex);
        Assert.True(forecast.Level > 0);
    }

    [Fact]
    public void Without_sales_nothing_is_ordered_and_cover_is_unknown()
    {
        var advice = ReplenishmentRules.Advise(DemandForecasting.Forecast(Monday, [0, 0, 0], smoothingBps: 2000), 0, Monday.AddDays(3), Seed);

        Assert.Equal((0L, 0L, 0L), (advice.ReorderPoint, advice.OrderUpTo, advice.SuggestedQuantity));
        Assert.Null(advice.DaysOfCover);
        Assert.Same(DemandForecast.None, DemandForecasting.Forecast(Monday, [], smoothingBps: 2000));
    }

    [Fact]
    public void A_day_below_zero_from_a_refund_counted_before_its_sale_counts_as_none()
    {
        // [−1, 3] reads as [0, 3]: start (0+3)/2 = 1.5, then .5·0 + .5·1.5 = .75, .5·3 + .5·.75 = 1.875.
        Assert.Equal(1.875, DemandForecasting.Forecast(Monday, [-1, 3], smoothingBps: 5000).Level, 12);
    }

    [Theory]
    [InlineData(3, 60, 33.0, 1.8181818181818181)] // on hand 3 + 60 sold / 2 = 33; 60 / 33
    [InlineData(100, 0, 100.0, 0.0)]              // stock that did not move
    public void Monthly_turnover_is_units_sold_over_the_average_on_hand(long onHand, long sold, double average, double turnover)
    {
        Assert.Equal(average, InventoryTurnover.AverageOnHand(onHand, sold));
        Assert.Equal(turnover, InventoryTurnover.PerMonth(sold, average)!.Value, 12);
    }

    [Fact]
    public void Turnover_is_unknown_without_stock_or_sales()
    {
        Assert.Null(InventoryTurnover.PerMonth(0, InventoryTurnover.AverageOnHand(0, 0)));
    }
}
