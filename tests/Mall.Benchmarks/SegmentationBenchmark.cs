using System.Diagnostics;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Customers;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.Benchmarks;

/// <summary>
/// Segmentation throughput against Azurite, compared with the cheapest possible pass over the same
/// table in the same run: a bare scan plus one write per customer at the same concurrency.
/// </summary>
internal static class SegmentationBenchmark
{
    public static async Task RunAsync(int count)
    {
        var now = new DateTimeOffset(2026, 11, 25, 18, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        await using var environment = await MallTestEnvironment.StartAsync(time: time);
        await using var services = environment.BuildServices();
        var options = services.GetRequiredService<SegmentationOptions>();
        var customers = services.GetRequiredService<IDocumentCollection<Customer>>();

        Console.WriteLine($"Seeding {count:N0} customers into Azurite…");
        var seeding = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = options.WriteConcurrency * 2 }, async (i, ct) =>
        {
            var customer = SampleCustomer(i, now);
            await customers.InsertAsync(DocumentKey.Single(customer.Id), customer, [], ct);
            if ((i + 1) % 10_000 == 0)
            {
                Console.WriteLine($"  {i + 1:N0} ({seeding.Elapsed.TotalSeconds:F0} s)");
            }
        });

        var table = await services.GetRequiredService<TableProvider>().GetAsync("Customers", CancellationToken.None);
        var baseline = await MeasureAsync("baseline: bare scan + one write per customer", async () =>
        {
            var writes = new List<Task>();
            using var gate = new SemaphoreSlim(options.WriteConcurrency);
            await foreach (var entity in table.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], maxPerPage: options.PageSize))
            {
                await gate.WaitAsync();
                writes.Add(Task.Run(async () =>
                {
                    try
                    {
                        await table.UpdateEntityAsync(new TableEntity(entity.PartitionKey, entity.RowKey) { ["Touched"] = true }, Azure.ETag.All, TableUpdateMode.Merge);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }

            await Task.WhenAll(writes);
            return count;
        });

        var segmentation = services.GetRequiredService<SegmentationService>();
        var firstRun = await MeasureAsync("segmentation, first run (every customer gets a segment)", async () => (await segmentation.RunAsync(CancellationToken.None)).Processed);

        // What the dispatch function then does with the run's CustomerSegmentChanged events (markers, bus, outbox trim).
        var pump = EventPump.For(services);
        var dispatch = await MeasureAsync("dispatching the first run's events (after the run)", async () =>
        {
            await pump.DrainAsync();
            return count;
        });
        time.Advance(TimeSpan.FromDays(1));
        var steadyRun = await MeasureAsync("segmentation, next day (few changes)", async () => (await segmentation.RunAsync(CancellationToken.None)).Processed);

        Console.WriteLine();
        Console.WriteLine($"| run | customers | seconds | customers/s | peak managed heap | ratio to baseline |");
        Console.WriteLine($"|---|---|---|---|---|---|");
        foreach (var result in new[] { baseline, firstRun, dispatch, steadyRun })
        {
            Console.WriteLine($"| {result.Name} | {result.Customers:N0} | {result.Elapsed.TotalSeconds:F1} | {result.Customers / result.Elapsed.TotalSeconds:N0} | {result.PeakHeapBytes / 1024 / 1024:N0} MiB | {result.Elapsed / baseline.Elapsed:F2}× |");
        }
    }

    private static Customer SampleCustomer(int i, DateTimeOffset now)
    {
        var registered = now.AddDays(-(i % 400));
        var customer = new Customer
        {
            Id = $"C{i:D8}",
            OpenId = $"bench-{i}",
            InviteCode = $"B{i:D9}",
            RegisteredAt = registered,
            // Every fifth customer has not been seen for over 180 days.
            LastLoginAt = i % 5 == 0 ? now.AddDays(-200) : now.AddDays(-(i % 30)),
        };
        var orders = i % 7;
        var activity = customer.Activity;
        for (var n = 0; n < orders; n++)
        {
            activity = activity.OrderPaid($"O{i}-{n}", 5000 + (n * 1000), (i % 5 == 0 ? now.AddDays(-200) : now).AddDays(-n * 10));
        }

        return customer with { Activity = activity };
    }

    private static async Task<Result> MeasureAsync(string name, Func<Task<int>> run)
    {
        GC.Collect();
        var peak = GC.GetTotalMemory(forceFullCollection: true);
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
                await Task.Delay(50);
            }
        });
        Console.WriteLine($"Running {name}…");
        var stopwatch = Stopwatch.StartNew();
        var customers = await run();
        stopwatch.Stop();
        await sampling.CancelAsync();
        await sampler;
        Console.WriteLine($"  {customers:N0} customers in {stopwatch.Elapsed.TotalSeconds:F1} s");
        return new Result(name, customers, stopwatch.Elapsed, peak);
    }

    private sealed record Result(string Name, int Customers, TimeSpan Elapsed, long PeakHeapBytes);
}
