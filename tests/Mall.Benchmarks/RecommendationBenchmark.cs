using System.Diagnostics;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Orders;
using Mall.Domain.Recommendations;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Benchmarks;

/// <summary>
/// Recommendations, offline: on a generated order history with known structure (products in related groups,
/// customers who mostly buy from one group, global bestsellers, noise), split by time, hit rate@10 and NDCG@10
/// of the related list and of the personal feed against the most-popular list on the same split. Then the
/// daily run's throughput over the same kind of history in Azurite against a bare scan of the same orders.
/// </summary>
internal static class RecommendationBenchmark
{
    private const int K = 10;
    private const int Groups = 20;
    private const int ProductsPerGroup = 10;
    private const int Days = 180;
    private const int TrainDays = 150;

    public static async Task RunAsync(int customers, int orders, double noise, int seed)
    {
        var history = Generate(customers, noise, seed);
        var train = history.Where(o => o.Day < TrainDays).ToList();
        var test = history.Where(o => o.Day >= TrainDays).ToList();
        Console.WriteLine($"{customers:N0} customers, {Groups * ProductsPerGroup} products in {Groups} groups, noise {noise:P0}: {train.Count:N0} orders before day {TrainDays}, {test.Count:N0} after");
        Quality(train, test);
        if (orders > 0)
        {
            await ThroughputAsync(orders, noise, seed);
        }
    }

    private static void Quality(IReadOnlyList<SampleOrder> train, IReadOnlyList<SampleOrder> test)
    {
        var rules = new RecommendationOptions().ToRules();
        var counts = new CoOccurrence();
        foreach (var order in train)
        {
            counts.Add(order.Products, rules);
        }

        // As the daily run's interest stage does: each customer once behind the pairs of what they bought.
        foreach (var customer in train.GroupBy(o => o.CustomerId))
        {
            counts.CountCustomer(customer.SelectMany(o => o.Products), new ViewedThenBoughtBasket([], []), rules);
        }

        var related = counts.Related(rules);
        var popular = counts.Popular(Groups * ProductsPerGroup);
        IReadOnlyList<ScoredProduct> Related(string productId) => related.GetValueOrDefault(productId) ?? [];
        List<string> PopularExcept(IReadOnlySet<string> known) => popular.Select(p => p.ProductId).Where(p => !known.Contains(p)).Take(K).ToList();

        var (relatedScores, feedScores, popularForRelated, popularForFeed) = (new Scores(), new Scores(), new Scores(), new Scores());
        var future = test.GroupBy(o => o.CustomerId).ToDictionary(g => g.Key, g => g.SelectMany(o => o.Products).ToHashSet(StringComparer.Ordinal));
        foreach (var past in train.GroupBy(o => o.CustomerId).Where(g => future.ContainsKey(g.Key)))
        {
            var bought = past.SelectMany(o => o.Products).ToHashSet(StringComparer.Ordinal);
            var relevant = future[past.Key].Where(p => !bought.Contains(p)).ToHashSet(StringComparer.Ordinal);
            if (relevant.Count == 0)
            {
                continue;
            }

            // The related list of the customer's latest purchase (the product page they come back to).
            var latest = past.OrderBy(o => o.Day).Last().Products[0];
            var relatedList = Ranking.Top(Related(latest).Where(r => !bought.Contains(r.ProductId)), K).Select(r => r.ProductId).ToList();
            relatedScores.Add(relatedList, relevant);
            popularForRelated.Add(PopularExcept(bought), relevant);

            var purchases = past.SelectMany(o => o.Products.Select(p => new Interaction(p, DateTimeOffset.UnixEpoch.AddDays(o.Day)))).ToList();
            feedScores.Add(Ranking.Feed([], purchases, Related, K).Select(f => f.ProductId).ToList(), relevant);
            popularForFeed.Add(PopularExcept(bought), relevant);
        }

        Console.WriteLine();
        Console.WriteLine($"| list | customers | hit rate@{K} | NDCG@{K} | hit rate vs popular |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| most popular (baseline) | {popularForFeed.Count:N0} | {popularForFeed.HitRate:F3} | {popularForFeed.Ndcg:F3} | 1.00× |");
        Console.WriteLine($"| related list of the latest purchase | {relatedScores.Count:N0} | {relatedScores.HitRate:F3} | {relatedScores.Ndcg:F3} | {relatedScores.HitRate / popularForRelated.HitRate:F2}× |");
        Console.WriteLine($"| personal feed | {feedScores.Count:N0} | {feedScores.HitRate:F3} | {feedScores.Ndcg:F3} | {feedScores.HitRate / popularForFeed.HitRate:F2}× |");
    }

    /// <summary>The daily run over <paramref name="count"/> paid orders in Azurite, and a bare scan of the same table.</summary>
    private static async Task ThroughputAsync(int count, double noise, int seed)
    {
        await using var environment = await MallTestEnvironment.StartAsync();
        await using var services = environment.BuildServices();
        var orders = services.GetRequiredService<IDocumentCollection<Order>>();
        var sample = Generate(count / 3 + 1, noise, seed).Take(count).ToList();
        Console.WriteLine();
        Console.WriteLine($"Seeding {sample.Count:N0} paid orders into Azurite…");
        var seeding = Stopwatch.StartNew();
        await Parallel.ForEachAsync(sample.Select((o, i) => (o, i)), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (entry, ct) =>
        {
            var order = PaidOrder(entry.o, entry.i);
            await orders.InsertAsync(DocumentKey.Single(order.Id), order, [], ct);
            if ((entry.i + 1) % 10_000 == 0)
            {
                Console.WriteLine($"  {entry.i + 1:N0} ({seeding.Elapsed.TotalSeconds:F0} s)");
            }
        });

        var options = services.GetRequiredService<RecommendationOptions>();
        var table = await services.GetRequiredService<TableProvider>().GetAsync("Orders", CancellationToken.None);
        var scan = Stopwatch.StartNew();
        var scanned = 0;
        await foreach (var _ in table.QueryAsync<TableEntity>(maxPerPage: options.PageSize))
        {
            scanned++;
        }

        scan.Stop();
        var builder = services.GetRequiredService<RecommendationBuilder>();
        var build = Stopwatch.StartNew();
        var run = await builder.RunAsync(CancellationToken.None);
        build.Stop();
        var rerun = Stopwatch.StartNew();
        await builder.RunAsync(CancellationToken.None);
        rerun.Stop();

        Console.WriteLine();
        Console.WriteLine("| pass | orders | seconds | orders/s | ratio to bare scan |");
        Console.WriteLine("|---|---|---|---|---|");
        Console.WriteLine($"| bare scan of the Orders table (every column) | {scanned:N0} | {scan.Elapsed.TotalSeconds:F1} | {scanned / scan.Elapsed.TotalSeconds:N0} | 1.00× |");
        Console.WriteLine($"| daily run (orders, then interests, {run.ProductsWritten} lists written, {run.Pages} pages) | {run.PaidOrders:N0} | {build.Elapsed.TotalSeconds:F1} | {run.PaidOrders / build.Elapsed.TotalSeconds:N0} | {build.Elapsed / scan.Elapsed:F2}× |");
        Console.WriteLine($"| re-run the same day (no-op) | 0 | {rerun.Elapsed.TotalSeconds:F3} | — | {rerun.Elapsed / scan.Elapsed:F3}× |");
    }

    private sealed record SampleOrder(string CustomerId, int Day, IReadOnlyList<string> Products);

    /// <summary>
    /// Each customer prefers one group; each order has 1–3 products, each from the preferred group or (with
    /// probability <paramref name="noise"/>) anything by global popularity; some products sell far more than
    /// others (a Zipf-like weight), so "most popular" is a real competitor.
    /// </summary>
    private static List<SampleOrder> Generate(int customers, double noise, int seed)
    {
        var random = new Random(seed);
        var weights = Enumerable.Range(0, Groups * ProductsPerGroup).Select(i => 1.0 / (1 + ((i * 37) % (Groups * ProductsPerGroup)))).ToArray();
        string Pick(int from, int length)
        {
            var total = weights.Skip(from).Take(length).Sum();
            var roll = random.NextDouble() * total;
            for (var i = from; i < from + length; i++)
            {
                roll -= weights[i];
                if (roll <= 0)
                {
                    return $"P{i:D3}";
                }
            }

            return $"P{from + length - 1:D3}";
        }

        var history = new List<SampleOrder>();
        for (var c = 0; c < customers; c++)
        {
            var group = random.Next(Groups);
            var orders = 1 + random.Next(6);
            for (var o = 0; o < orders; o++)
            {
                var products = Enumerable.Range(0, 1 + random.Next(3))
                    .Select(_ => random.NextDouble() < noise ? Pick(0, weights.Length) : Pick(group * ProductsPerGroup, ProductsPerGroup))
                    .Distinct()
                    .ToList();
                history.Add(new SampleOrder($"C{c:D6}", random.Next(Days), products));
            }
        }

        return history;
    }

    private static Order PaidOrder(SampleOrder sample, int index)
    {
        var at = DateTimeOffset.UtcNow.AddDays(sample.Day - Days);
        var lines = sample.Products.Select(p => new OrderLine($"{p}-1", p, p, "50g", 1_000, 1, 1_000)).ToList();
        var payable = lines.Sum(l => l.LineTotalFen);
        return new Order
        {
            Id = $"O{index:D8}",
            CustomerId = sample.CustomerId,
            PayerOpenId = $"open-{sample.CustomerId}",
            Status = OrderStatus.Completed,
            Lines = lines,
            Pricing = new PriceBreakdown(payable, 0, 0, payable),
            ProtectedAddress = "protected",
            RequestFingerprint = $"bench-{index}",
            CreatedAt = at,
            ExpiresAt = at.AddMinutes(30),
            Payment = new PaymentRecord($"T{index:D8}", payable, PaymentRecord.Cny, at.AddMinutes(1), $"open-{sample.CustomerId}"),
        };
    }

    private sealed class Scores
    {
        private double hits;
        private double ndcg;

        public int Count { get; private set; }

        public double HitRate => hits / Count;

        public double Ndcg => ndcg / Count;

        public void Add(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant)
        {
            hits += RankingMetrics.HitRate(ranked, relevant, K);
            ndcg += RankingMetrics.Ndcg(ranked, relevant, K);
            Count++;
        }
    }
}
