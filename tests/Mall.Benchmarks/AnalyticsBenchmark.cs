using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Data.Tables;
using Mall.Application.Analytics;
using Mall.Application.Platform;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Benchmarks;

/// <summary>
/// Event ingestion through POST /api/events against bare entity-group inserts of the same ledger rows,
/// and the dashboard's data endpoint over 30 days of hour summaries against a bare read of those rows,
/// in the same run on the same Azurite.
/// </summary>
internal static class AnalyticsBenchmark
{
    private const int BatchSize = 50;
    private const int SummaryDays = 30;

    public static async Task RunAsync(int events, int concurrency, int devices, int reads, int readConcurrency)
    {
        var batches = events / BatchSize;
        Console.WriteLine($"Analytics benchmark: {events:N0} events in {batches:N0} batches of {BatchSize} from {devices:N0} devices at concurrency {concurrency}");
        Console.WriteLine($"Load average (1, 5, 15 min) before: {Load.LoadAverage()}; {Environment.ProcessorCount} cores; server GC {System.Runtime.GCSettings.IsServerGC}");
        await using var azurite = await Azurite.StartOwnAsync();
        Environment.SetEnvironmentVariable("MALL_TEST_STORAGE_CONNECTION", azurite.ConnectionString);
        await using var environment = await MallTestEnvironment.StartAsync();
        var logPath = Path.Combine(Path.GetTempPath(), $"analytics-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        using var logs = new CountingLoggerProvider(logPath);
        await using var host = await BenchHost.StartAsync("analytics", environment, logs, new Dictionary<string, string?>(), _ => { });
        await using var services = environment.BuildServices();
        var tables = services.GetRequiredService<TableProvider>();
        var bareTable = await tables.GetAsync("BareLedger", CancellationToken.None);
        Console.WriteLine($"Azurite pid {azurite.ProcessId}; host at {host.Host.BaseAddress}; host warnings and errors in {logPath}");

        // Warm-up of both paths (their own devices and event ids).
        await Load.RunAsync(200, concurrency, i => PostBatchAsync(host.Http, $"warm-{i % 50}", $"warm-{i}"));
        await Load.RunAsync(200, concurrency, i => BareBatchAsync(bareTable, $"warm-{i % 50}", $"warm-{i}"));

        Console.WriteLine("Ingestion…");
        var bare = await MeasureAsync("bare entity-group inserts of the same rows (TableClient)", batches, concurrency, azurite, i => BareBatchAsync(bareTable, $"dev-{i % devices}", $"b{i}"));
        var api = await MeasureAsync("POST /api/events (validation, markers, dedup)", batches, concurrency, azurite, i => PostBatchAsync(host.Http, $"dev-{i % devices}", $"b{i}"));
        var folded = await services.GetRequiredService<IEventLedger>().FoldHourAsync(LedgerKeys.HourOf(DateTimeOffset.UtcNow), CancellationToken.None);
        Console.WriteLine($"  counted this hour: {folded.Count(TrackedEvent.PageView) + folded.Count(TrackedEvent.ProductView):N0} events (sent {events:N0} plus the warm-up's), {folded.Visitors:N0} visitors");

        Console.WriteLine($"Dashboard over {SummaryDays} days of hour summaries…");
        var summaries = services.GetRequiredService<IDocumentCollection<HourSummary>>();
        var now = LedgerKeys.HourOf(DateTimeOffset.UtcNow);
        await Load.RunAsync(SummaryDays * 24, 16, async h =>
        {
            var hour = now.AddHours(-(h + 2));
            var tally = Enumerable.Range(0, 20).Aggregate(Tally.Empty with { Visitors = 30 + h }, (t, n) => t.With(n % 2 == 0 ? TrackedEvent.PageView : TrackedEvent.OrderPaid, 1_000));
            await summaries.UpsertAsync(new DocumentKey(hour.UtcDateTime.ToString("yyyyMM"), hour.UtcDateTime.ToString("ddHH")), new HourSummary(hour, tally, null, DateTimeOffset.UtcNow), CancellationToken.None);
            return new Sample(0, 0, 200, null, null);
        });
        var admin = await host.AdminTokenAsync(environment);
        var summaryTable = await tables.GetAsync("AnalyticsHours", CancellationToken.None);
        var months = new[] { now.AddHours(-DashboardService.HourlyChartHours), now }.Select(h => h.UtcDateTime.ToString("yyyyMM")).Distinct().ToArray();
        await Load.RunAsync(50, readConcurrency, _ => DashboardAsync(host.Http, admin));
        var bareRead = await MeasureAsync($"bare read of the hour-summary rows ({string.Join(", ", months)})", reads, readConcurrency, azurite, _ => BareSummariesAsync(summaryTable, months));
        var dashboard = await MeasureAsync("GET /api/manage/dashboard/data", reads, readConcurrency, azurite, _ => DashboardAsync(host.Http, admin));

        Console.WriteLine($"Load average (1, 5, 15 min) after: {Load.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| path | rate | p50 ms | p99 ms | Azurite CPU | this process CPU |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, result, unit) in new[] { ("bare inserts", bare, "events"), ("POST /api/events", api, "events"), ("bare summary read", bareRead, "reads"), ("dashboard data", dashboard, "reads") })
        {
            var perSecond = result.Count / result.Elapsed.TotalSeconds * (unit == "events" ? BatchSize : 1);
            Console.WriteLine($"| {name} | {perSecond:N0} {unit}/s | {Load.Ms(result.P50)} | {Load.Ms(result.P99)} | {result.AzuriteShare:F2} | {result.SelfShare:F2} |");
        }

        Console.WriteLine();
        Console.WriteLine($"Ingestion: API {api.Count / api.Elapsed.TotalSeconds * BatchSize:N0} events/s = {bare.Elapsed.TotalSeconds / api.Elapsed.TotalSeconds:F2} × bare (goal ≥ 0.5)");
        Console.WriteLine($"Dashboard data: p50 {dashboard.P50 / bareRead.P50:F2} × bare, p99 {dashboard.P99 / bareRead.P99:F2} × bare");
        Console.WriteLine($"Not-200 answers: API {api.Failed}, dashboard {dashboard.Failed}; host warnings/errors: {logs.Counts.Values.Sum()}");
    }

    private sealed record Measured(int Count, TimeSpan Elapsed, double P50, double P99, int Failed, double AzuriteShare, double SelfShare);

    private static async Task<Measured> MeasureAsync(string name, int count, int concurrency, Azurite azurite, Func<int, Task<Sample>> one)
    {
        var cpu = new CpuMeter(azurite.ProcessId!.Value);
        var (samples, elapsed) = await Load.RunAsync(count, concurrency, one);
        var (azuriteShare, selfShare) = cpu.Shares();
        var result = new Measured(count, elapsed, Load.Quantile(samples, 0.5), Load.Quantile(samples, 0.99), samples.Count(s => s.Status != 200), azuriteShare, selfShare);
        Console.WriteLine($"  {name}: {count / elapsed.TotalSeconds:N0} calls/s, p50 {Load.Ms(result.P50)} ms, p99 {Load.Ms(result.P99)} ms, Azurite CPU {azuriteShare:F2}, this process {selfShare:F2}");
        return result;
    }

    private static IEnumerable<(string Id, string Type)> Events(string batch) =>
        Enumerable.Range(0, BatchSize).Select(n => ($"{batch}-{n}", n % 5 == 0 ? "product_view" : "page_view"));

    private static async Task<Sample> PostBatchAsync(HttpClient http, string device, string batch)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            deviceId = device,
            events = Events(batch).Select(e => new { id = e.Id, type = e.Type, occurredAt = DateTimeOffset.UtcNow, productId = "P_LONGJING" }),
        });
        var start = Stopwatch.GetTimestamp();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("events", content);
        return new Sample(start, Stopwatch.GetTimestamp(), (int)response.StatusCode, null, null);
    }

    /// <summary>The rows the ledger writes for a new batch: its events, the visitor's hour marker and day marker, in one transaction.</summary>
    private static async Task<Sample> BareBatchAsync(TableClient table, string device, string batch)
    {
        var now = DateTimeOffset.UtcNow;
        var visitor = LedgerKeys.DeviceVisitor(device);
        var partition = LedgerKeys.Partition(ChinaTime.DateOf(now), visitor);
        var rows = Events(batch)
            .Select(e => new TableEntity(partition, LedgerKeys.EventRow(now, visitor, e.Id)) { ["Type"] = e.Type, ["AmountFen"] = 0L, ["ProductId"] = "P_LONGJING", ["RecordedAt"] = now })
            .Append(new TableEntity(partition, LedgerKeys.HourVisitorRow(now, visitor + "-" + batch)))
            .Append(new TableEntity(partition, LedgerKeys.DayVisitorRow(visitor + "-" + batch)));
        var start = Stopwatch.GetTimestamp();
        var response = await table.SubmitTransactionAsync(rows.Select(r => new TableTransactionAction(TableTransactionActionType.Add, r)));
        return new Sample(start, Stopwatch.GetTimestamp(), response.GetRawResponse().Status == 202 ? 200 : response.GetRawResponse().Status, null, null);
    }

    private static async Task<Sample> DashboardAsync(HttpClient http, string admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "manage/dashboard/data");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        var start = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return new Sample(start, Stopwatch.GetTimestamp(), (int)response.StatusCode, null, null);
    }

    private static async Task<Sample> BareSummariesAsync(TableClient table, string[] months)
    {
        var start = Stopwatch.GetTimestamp();
        foreach (var month in months)
        {
            await foreach (var _ in table.QueryAsync<TableEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {month}"), maxPerPage: 1000))
            {
            }
        }

        return new Sample(start, Stopwatch.GetTimestamp(), 200, null, null);
    }
}
