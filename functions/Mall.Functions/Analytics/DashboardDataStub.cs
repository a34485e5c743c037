// TEMPORARY — delete this file when the real GET manage/dashboard/data and
// POST manage/alerts/{alertId}/acknowledge are merged. It only lets the dashboard page and its browser test
// (tests/Mall.BrowserTests) run before they exist: fixed sample DashboardData, and one Raised alert that an
// operator can acknowledge (kept in this process's memory).
using System.Collections.Concurrent;
using Mall.Application.Analytics;
using Mall.Application.Segmentation;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Analytics;

/// <summary>TEMPORARY sample data for the dashboard (see the top of the file); not the real data endpoint.</summary>
public sealed class DashboardDataStub(Api api, TimeProvider time)
{
    public const string RaisedAlertId = "alert-gmv-drop";

    private static readonly DateTimeOffset Start = new(2026, 11, 29, 16, 0, 0, TimeSpan.Zero); // 2026-11-30 00:00 CST

    private static readonly ConcurrentDictionary<string, (DateTimeOffset At, string By)> Acknowledged = new();

    [Function("Manage_DashboardDataStub")]
    public Task<IActionResult> Data([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/data")] HttpRequest request) =>
        api.ForAdminAsync(request, _ => Task.FromResult<IActionResult>(ApiResults.Ok(Sample(time.GetUtcNow()))));

    [Function("Manage_AcknowledgeAlertStub")]
    public Task<IActionResult> Acknowledge(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/alerts/{alertId}/acknowledge")] HttpRequest request, string alertId) =>
        api.ForAdminAsync(request, operatorName =>
        {
            if (alertId != RaisedAlertId)
            {
                throw DomainException.NotFound($"Alert {alertId}");
            }

            Acknowledged.TryAdd(alertId, (time.GetUtcNow(), operatorName));
            return Task.FromResult<IActionResult>(ApiResults.Ok(Alerts().Single(a => a.Id == alertId)));
        });

    private static DashboardData Sample(DateTimeOffset now) => new(
        now,
        "2026-12-01",
        new SalesDay("2026-12-01", 1_234_567, 87, 1_520, 6_430),
        new SalesDay("2026-11-30", 1_098_000, 92, 1_401, 5_980),
        Enumerable.Range(0, 48).Select(Hour).ToList(),
        new FunnelView("2026-12-01", null, null,
        [
            new FunnelStep("pageView", 6_430, null),
            new FunnelStep("productView", 2_980, 2_980 / 6_430d),
            new FunnelStep("addToCart", 610, 610 / 2_980d),
            new FunnelStep("checkoutStart", 140, 140 / 610d),
            new FunnelStep("paid", 87, 87 / 140d),
        ]),
        new SegmentReport(
            [.. Enumerable.Range(0, 7).Select(Run)],
            [
                new SegmentMetric("Potential", "firstOrderConversion", 0.12, 0.15, "12 of 100"),
                new SegmentMetric("FirstOrder", "repurchase30Days", 0.31, 0.25, "31 of 100"),
                new SegmentMetric("Dormant", "reactivation", null, 0.05, "0 of 0"),
            ]),
        Alerts(),
        [
            new ExperimentResults("exp-checkout-button", "结算按钮颜色 Checkout button", "paid", "running",
            [
                new VariantResult("control", true, 50, 1_000, 80, 0.08, 0.0632, 0.0968, null, null, null),
                new VariantResult("orange", false, 50, 1_010, 101, 0.1, 0.0815, 0.1185, 0.25, 1.58, 0.1142),
            ], 0.8231, false),
            new ExperimentResults("exp-free-shipping", "包邮门槛 Free-shipping threshold", "addToCart", "running",
            [
                new VariantResult("control", true, 50, 1_200, 300, 0.25, 0.2255, 0.2745, null, null, null),
                new VariantResult("threshold-59", false, 50, 900, 270, 0.3, 0.2701, 0.3299, 0.2, 2.56, 0.0105),
            ], 0.00001, true),
        ],
        new ReplenishmentPanel("2026-12-01", new DateTimeOffset(2026, 11, 30, 19, 30, 0, TimeSpan.Zero), 2.4, 6,
        [
            new ReplenishmentLine("P_LONGJING-1", "明前龙井 50g", 12, 4.5, 30, 58, 2.7),
            new ReplenishmentLine("P_GAIWAN-2", "白瓷盖碗", 3, 0.8, 6, 12, 3.8),
            new ReplenishmentLine("P_PUER-1", "普洱饼 357g", 0, 1.2, 9, 25, null),
        ]));

    private static HourlyFigures Hour(int i)
    {
        var pageViews = 60 + (i * 37 % 190);
        var paid = i * 7 % 5;
        return new HourlyFigures(Start.AddHours(i), pageViews, pageViews / 4, pageViews / 2, pageViews / 10, paid + 2, paid, paid * 12_850L + (i % 3 * 99), i % 4, pageViews / 3);
    }

    private static SegmentationRun Run(int i)
    {
        var day = new DateOnly(2026, 11, 25).AddDays(i);
        var started = new DateTimeOffset(day.ToDateTime(new TimeOnly(18, 0)), TimeSpan.Zero).AddDays(-1);
        return new SegmentationRun
        {
            Day = day,
            StartedAt = started,
            // The latest run is still going: the page leaves it out.
            CompletedAt = i == 6 ? null : started.AddMinutes(3),
            Processed = 1_000 + (i * 20),
            Sizes = new()
            {
                ["Potential"] = 400 + (i * 12),
                ["FirstOrder"] = 220 + (i * 5),
                ["Regular"] = 180 + (i * 3),
                ["Active"] = 90 + i,
                ["Dormant"] = 110 - i,
            },
        };
    }

    private static List<AlertView> Alerts()
    {
        var acknowledged = Acknowledged.TryGetValue(RaisedAlertId, out var ack);
        return
        [
            new AlertView(RaisedAlertId, "gmv-drop", "gmvFen", "今日成交额比上周同期低 30% GMV 30% below the same hour last week",
                "检查支付与库存 Check payments and stock", acknowledged ? "Acknowledged" : "Raised", 812_000, 1_160_000,
                new DateTimeOffset(2026, 12, 1, 6, 5, 0, TimeSpan.Zero), null, acknowledged ? ack.At : null, acknowledged ? ack.By : null, null),
            new AlertView("alert-refund-rate", "refund-rate", "refundRate", "退款率高于 5% Refund rate above 5%",
                "查看退款原因 Review refund reasons", "Acknowledged", 0.062, 0.05,
                new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero),
                new DateTimeOffset(2026, 12, 1, 3, 10, 0, TimeSpan.Zero), "admin", null),
            new AlertView("alert-stockout", "stockout", "stockouts", "缺货 SKU 3 个 3 SKUs out of stock",
                "补货 Restock", "Resolved", 3, 1,
                new DateTimeOffset(2026, 11, 30, 1, 0, 0, TimeSpan.Zero), null, null, null, new DateTimeOffset(2026, 11, 30, 4, 0, 0, TimeSpan.Zero)),
        ];
    }
}
