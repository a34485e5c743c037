using System.Globalization;
using System.Net;
using System.Text.Json;
using Mall.Application.Analytics;
using Mall.Application.Platform;
using Mall.EndToEndTests;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Mall.BrowserTests;

/// <summary>
/// The operator dashboard in Chromium: an operator signs in on the page, and what it shows — figures, funnel,
/// alerts, tables and the charts' series — is what GET manage/dashboard/data answers the test itself with the
/// same token. Every wait is on a condition (Playwright's auto-waiting expectations), never on time.
/// </summary>
[Collection(nameof(DashboardFixture))]
public sealed class DashboardPageTests(DashboardFixture fixture, ITestOutputHelper output)
{
    private const string TokenKey = "mall.dashboard.token";

    [Fact]
    public async Task An_operator_signs_in_and_sees_what_the_data_endpoint_returns_then_acknowledges_an_alert()
    {
        await SeedAsync();
        var page = await fixture.NewPageAsync();
        var problems = await WatchAsync(page);

        await SignInAsync(page);
        await Expect(page.GetByTestId("updated-at")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^更新于 Updated \d\d:\d\d:\d\d$"));
        var token = await page.EvaluateAsync<string>($"() => sessionStorage.getItem('{TokenKey}')");

        // What the page shows against what the API answers now; a figure that moved in between (the real
        // data changes as the mall runs) gets one more refresh of both before it counts as a difference.
        var data = await DataAsync(token);
        var (expected, shown) = (Expected(data), await ShownAsync(page));
        for (var retry = 0; retry < 2 && !expected.SequenceEqual(shown); retry++)
        {
            await RefreshAsync(page);
            data = await DataAsync(token);
            (expected, shown) = (Expected(data), await ShownAsync(page));
        }

        Assert.Equal(expected, shown);
        Assert.Contains("today-gmv = " + Yuan(data.Today.GmvFen), shown);
        Assert.Contains("slot product-related/related = 10 | 3 | 30.00% | 0 | 0.00%", shown);

        // A tooltip drawn (on the canvas, as the policy wants), then nothing the Content-Security-Policy refused.
        await page.GetByTestId("chart-hourly").HoverAsync(new() { Position = new() { X = 700, Y = 200 } });
        var alert = data.Alerts.FirstOrDefault(a => a.State.ToLowerInvariant() is "raised" or "escalated")
            ?? throw new InvalidOperationException("The dashboard data has no alert to acknowledge (Raised or Escalated); the test needs one.");
        var row = page.Locator($"[data-testid=alert-row][data-alert-id=\"{alert.Id}\"]");
        await Expect(row).ToHaveAttributeAsync("data-state", alert.State.ToLowerInvariant());

        await row.GetByTestId("alert-acknowledge").ClickAsync();

        await Expect(row).ToHaveAttributeAsync("data-state", "acknowledged");
        await Expect(row.GetByTestId("alert-state")).ToHaveTextAsync("已确认 Acknowledged");
        await Expect(row.GetByTestId("alert-acknowledge")).ToHaveCountAsync(0);
        await Expect(row.GetByTestId("alert-acknowledged-by")).ToContainTextAsync(fixture.Mall.Environment.AdminUser);
        var after = await DataAsync(token);
        var acknowledged = after.Alerts.Single(a => a.Id == alert.Id);
        Assert.Equal("acknowledged", acknowledged.State.ToLowerInvariant());
        Assert.Equal(fixture.Mall.Environment.AdminUser, acknowledged.AcknowledgedBy);
        await Expect(page.GetByTestId("alert-open-count")).ToHaveTextAsync(Count(after.Alerts.Count(IsOpen)));

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"Dashboard screenshot: {screenshot}");
        Assert.Empty(await problems.CspViolationsAsync());
        Assert.Empty(problems.Errors);
        Assert.All(problems.Requests, url => Assert.StartsWith(fixture.Mall.Host.BaseAddress.ToString(), url, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_page_refreshes_itself_every_minute()
    {
        var page = await fixture.NewPageAsync();
        await page.Clock.InstallAsync();
        await SignInAsync(page);
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-loads", "1");
        var first = await page.GetByTestId("updated-at").TextContentAsync();

        await page.Clock.FastForwardAsync("01:00");

        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-loads", "2");
        await Expect(page.GetByTestId("updated-at")).Not.ToHaveTextAsync(first!);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_keeps_the_sign_in_form_with_the_reason()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.PageAddress.ToString());

        await page.GetByTestId("username").FillAsync(LocalMall.LockableOperator);
        await page.GetByTestId("password").FillAsync("not the password");
        await page.GetByTestId("sign-in-submit").ClickAsync();

        await Expect(page.GetByTestId("error")).ToContainTextAsync("登录失败 Sign-in failed");
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("dashboard")).ToBeHiddenAsync();
        Assert.Null(await page.EvaluateAsync<string?>($"() => sessionStorage.getItem('{TokenKey}')"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_token_the_mall_no_longer_accepts_brings_back_the_sign_in_form()
    {
        var page = await fixture.NewPageAsync();
        await page.Context.AddInitScriptAsync($"sessionStorage.setItem('{TokenKey}', 'expired-or-forged')");

        await page.GotoAsync(fixture.PageAddress.ToString());

        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("error")).ToContainTextAsync("sign in again");
        Assert.Null(await page.EvaluateAsync<string?>($"() => sessionStorage.getItem('{TokenKey}')"));
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// Something for the data to show: a paid order today (through the sandbox), and 40 add-to-carts two
    /// hours ago (a closed hour), so add-to-cart → paid over 24 hours is below 45% and evaluating the rules
    /// raises an alert; then waits until the dashboard data shows both.
    /// </summary>
    private async Task SeedAsync()
    {
        var (productId, skuId) = await fixture.Mall.CreateProductAsync(priceFen: 6_800, stock: 10);
        using var customer = await fixture.Mall.NewCustomerAsync();
        await fixture.Mall.PaidOrderAsync(customer, skuId, 2);
        var device = $"dash-{Guid.NewGuid():N}"[..20];
        var twoHoursAgo = DateTimeOffset.UtcNow.AddHours(-2);
        var carts = Enumerable.Range(0, 40).Select(n => new { id = $"{device}-{n}", type = "add_to_cart", occurredAt = twoHoursAgo, productId });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Mall.Anonymous().PostAsync("events", new { deviceId = device, events = carts })).Status);
        // A recommendation slot shown ten times and clicked three: its CTR row.
        var now = DateTimeOffset.UtcNow;
        var slot = Enumerable.Range(0, 13).Select(n => new { id = $"{device}-r{n}", type = n < 10 ? "recommendation_impression" : "recommendation_click", occurredAt = now, productId, slot = "product-related", algorithm = "related" });
        Assert.Equal(HttpStatusCode.OK, (await fixture.Mall.Anonymous().PostAsync("events", new { deviceId = device, events = slot })).Status);
        using var admin = await fixture.Mall.AdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("manage/alerts/evaluate", new { })).Status);
        await LocalMall.WaitForAsync(admin, "manage/dashboard/data", body =>
            body.GetProperty("today").GetProperty("paidOrders").GetInt64() >= 1
            && body.GetProperty("alerts").EnumerateArray().Any(a => a.GetProperty("state").GetString() is "Raised" or "Escalated")
            && body.GetProperty("recommendations").GetArrayLength() > 0);
    }

    private async Task SignInAsync(IPage page)
    {
        await page.GotoAsync(fixture.PageAddress.ToString());
        await Expect(page.GetByTestId("sign-in")).ToBeVisibleAsync();
        await page.GetByTestId("username").FillAsync(fixture.Mall.Environment.AdminUser);
        await page.GetByTestId("password").FillAsync(fixture.Mall.Environment.AdminPassword);
        await page.GetByTestId("sign-in-submit").ClickAsync();
        await Expect(page.GetByTestId("dashboard")).ToBeVisibleAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-state", "ready");
        foreach (var chart in new[] { "chart-hourly", "chart-funnel", "chart-segments" })
        {
            await Expect(page.GetByTestId(chart)).ToHaveAttributeAsync("data-rendered", "true");
        }
    }

    private static async Task RefreshAsync(IPage page)
    {
        var loads = int.Parse((await page.Locator("body").GetAttributeAsync("data-loads"))!, CultureInfo.InvariantCulture);
        await page.GetByTestId("refresh").ClickAsync();
        await Expect(page.Locator("body")).ToHaveAttributeAsync("data-loads", (loads + 1).ToString(CultureInfo.InvariantCulture));
    }

    private async Task<DashboardData> DataAsync(string token)
    {
        using var http = new HttpClient { BaseAddress = fixture.Mall.Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/manage/dashboard/data") { Headers = { Authorization = new("Bearer", token) } };
        using var response = await http.SendAsync(request);
        var json = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {json}");
        return JsonSerializer.Deserialize<DashboardData>(json, MallJson.Options)!;
    }

    /// <summary>
    /// What the page shows, one "key = value" line per figure: texts by data-testid, table cells, and the
    /// charts' series data as ECharts holds it (getOption()).
    /// </summary>
    private static async Task<List<string>> ShownAsync(IPage page) => [.. await page.EvaluateAsync<string[]>("""
        () => {
          const lines = [];
          const add = (key, value) => lines.push(key + ' = ' + value);
          const all = (selector, root) => [...(root || document).querySelectorAll(selector)];
          const text = (id, root) => { const e = (root || document).querySelector('[data-testid="' + id + '"]'); return e ? e.textContent : null; };
          const option = (id) => echarts.getInstanceByDom(document.querySelector('[data-testid="' + id + '"]')).getOption();
          for (const id of ['today-gmv', 'today-gmv-change', 'yesterday-gmv', 'today-orders', 'today-orders-change', 'yesterday-orders',
                            'today-visitors', 'yesterday-visitors', 'today-pageviews', 'yesterday-pageviews',
                            'alert-count', 'alert-open-count', 'turnover', 'turnover-goal']) {
            add(id, text(id));
          }
          all('[data-testid=funnel-step]').forEach((row, i) => {
            add('funnel ' + i + ' ' + row.dataset.step + ' count', text('funnel-step-count-' + i, row));
            add('funnel ' + i + ' ' + row.dataset.step + ' rate', text('funnel-step-rate-' + i, row));
          });
          option('chart-funnel').series[0].data.forEach((item, i) => add('chart-funnel ' + i, item.value));
          for (const s of option('chart-hourly').series) add('chart-hourly ' + s.id, s.data.join(','));
          const segments = option('chart-segments');
          add('chart-segments days', segments.xAxis[0].data.join(','));
          for (const s of segments.series) add('chart-segments ' + s.id, s.data.join(','));
          all('[data-testid=alert-row]').forEach((row) => add('alert ' + row.dataset.alertId, row.dataset.state));
          all('[data-testid=experiment]').forEach((x) => {
            add('experiment ' + x.dataset.experimentId + ' srm', x.querySelector('[data-testid=srm-warning]') !== null);
            all('[data-testid=variant]', x).forEach((v) => add('variant ' + x.dataset.experimentId + '/' + v.dataset.variant,
              [text('variant-exposures', v), text('variant-conversions', v), text('variant-rate', v), text('variant-lift', v), text('variant-p-value', v)].join(' | ')));
          });
          all('[data-testid=recommendation-slot]').forEach((row) => add('slot ' + row.dataset.slot + '/' + row.dataset.algorithm,
            [...row.querySelectorAll('td')].slice(2).map((td) => td.textContent).join(' | ')));
          all('[data-testid=replenishment-row]').forEach((row) => add('replenishment ' + row.dataset.skuId, text('replenishment-suggested', row)));
          return lines.sort();
        }
        """)];

    /// <summary>The same lines from the API's answer, formatted as the page promises to show them.</summary>
    private static List<string> Expected(DashboardData data)
    {
        var lines = new List<string>();
        void Add(string key, object? value) => lines.Add($"{key} = {value}");

        Add("today-gmv", Yuan(data.Today.GmvFen));
        Add("today-gmv-change", Change(data.Today.GmvFen, data.Yesterday.GmvFen));
        Add("yesterday-gmv", Yuan(data.Yesterday.GmvFen));
        Add("today-orders", Count(data.Today.PaidOrders));
        Add("today-orders-change", Change(data.Today.PaidOrders, data.Yesterday.PaidOrders));
        Add("yesterday-orders", Count(data.Yesterday.PaidOrders));
        Add("today-visitors", Count(data.Today.Visitors));
        Add("yesterday-visitors", Count(data.Yesterday.Visitors));
        Add("today-pageviews", Count(data.Today.PageViews));
        Add("yesterday-pageviews", Count(data.Yesterday.PageViews));
        var active = data.Alerts.Where(a => !a.State.Equals("resolved", StringComparison.OrdinalIgnoreCase)).ToList();
        Add("alert-count", Count(active.Count));
        Add("alert-open-count", Count(active.Count(IsOpen)));
        Add("turnover", data.Replenishment.TurnoverPerMonth is { } turnover ? turnover.ToString("0.0", CultureInfo.InvariantCulture) : "—");
        Add("turnover-goal", Number(data.Replenishment.TurnoverGoal));

        foreach (var (step, i) in data.Funnel.Steps.Select((s, i) => (s, i)))
        {
            Add($"funnel {i} {step.Step} count", Count(step.Count));
            Add($"funnel {i} {step.Step} rate", step.RateFromPrevious is { } rate ? Percent(rate, 1) : "—");
            Add($"chart-funnel {i}", step.Count);
        }

        var hours = data.Hours.OrderBy(h => h.Hour).ToList();
        Add("chart-hourly pageViews", string.Join(',', hours.Select(h => h.PageViews)));
        Add("chart-hourly visitors", string.Join(',', hours.Select(h => h.Visitors)));
        Add("chart-hourly paidOrders", string.Join(',', hours.Select(h => h.PaidOrders)));
        Add("chart-hourly gmv", string.Join(',', hours.Select(h => (h.GmvFen / 100d).ToString(CultureInfo.InvariantCulture))));

        var runs = data.Segments.Runs.Where(r => r.CompletedAt is not null).OrderBy(r => r.Day).ToList();
        Add("chart-segments days", string.Join(',', runs.Select(r => r.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))));
        foreach (var segment in runs.SelectMany(r => r.Sizes.Keys).Distinct())
        {
            Add($"chart-segments {segment}", string.Join(',', runs.Select(r => r.Sizes.GetValueOrDefault(segment))));
        }

        foreach (var alert in active)
        {
            Add($"alert {alert.Id}", alert.State.ToLowerInvariant());
        }

        foreach (var experiment in data.Experiments)
        {
            Add($"experiment {experiment.ExperimentId} srm", experiment.SampleRatioMismatch ? "true" : "false");
            foreach (var v in experiment.Variants)
            {
                var lift = v.Lift is { } l ? (l > 0 ? "+" : "") + Percent(l, 1) : "—";
                Add($"variant {experiment.ExperimentId}/{v.Variant}", string.Join(" | ",
                    Count(v.Exposures), Count(v.Conversions), $"{Percent(v.Rate, 2)} [{Percent(v.RateLow, 2)} – {Percent(v.RateHigh, 2)}]", lift, PValue(v.PValue)));
            }
        }

        foreach (var s in data.Recommendations)
        {
            Add($"slot {s.Slot}/{s.Algorithm}", string.Join(" | ",
                Count(s.Impressions), Count(s.Clicks), s.ClickThroughRate is { } ctr ? Percent(ctr, 2) : "—", Count(s.AddsToCart), s.Conversion is { } conversion ? Percent(conversion, 2) : "—"));
        }

        foreach (var line in data.Replenishment.Lines)
        {
            Add($"replenishment {line.SkuId}", Count(line.SuggestedQuantity));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static bool IsOpen(AlertView alert) => alert.State.ToLowerInvariant() is "raised" or "escalated";

    /// <summary>Fen as the page shows yuan: ¥12,345.67.</summary>
    private static string Yuan(long fen) =>
        $"{(fen < 0 ? "-" : "")}¥{(Math.Abs(fen) / 100).ToString("#,0", CultureInfo.InvariantCulture)}.{Math.Abs(fen) % 100:00}";

    private static string Count(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Number(double value) => value == Math.Floor(value) ? Count((long)value) : value.ToString("0.####", CultureInfo.InvariantCulture);

    private static string Percent(double fraction, int digits) => (fraction * 100).ToString("F" + digits, CultureInfo.InvariantCulture) + "%";

    private static string PValue(double? p) => p is null ? "—" : p < 0.0001 ? "< 0.0001" : p.Value.ToString("F4", CultureInfo.InvariantCulture);

    private static string Change(long today, long yesterday)
    {
        if (yesterday == 0)
        {
            return today == 0 ? "＝ 0.0%" : "▲ 新增 new";
        }

        var pct = (today - yesterday) * 100d / yesterday;
        return $"{(pct > 0 ? "▲" : pct < 0 ? "▼" : "＝")} {Math.Abs(pct).ToString("F1", CultureInfo.InvariantCulture)}%";
    }

    /// <summary>Console errors, uncaught exceptions, requests, and Content-Security-Policy violations of a page.</summary>
    private static async Task<PageProblems> WatchAsync(IPage page)
    {
        var problems = new PageProblems(page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                problems.Errors.Add("console: " + message.Text);
            }
        };
        page.PageError += (_, error) => problems.Errors.Add("page error: " + error);
        page.Request += (_, request) => problems.Requests.Add(request.Url);
        await page.AddInitScriptAsync("""
            window.__cspViolations = [];
            document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sample));
            """);
        return problems;
    }

    private sealed class PageProblems(IPage page)
    {
        public List<string> Errors { get; } = [];

        public List<string> Requests { get; } = [];

        public Task<string[]> CspViolationsAsync() => page.EvaluateAsync<string[]>("() => window.__cspViolations");
    }
}
