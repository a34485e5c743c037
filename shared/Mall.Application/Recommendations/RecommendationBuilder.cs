using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Mall.Domain.Recommendations;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Recommendations;

/// <summary>
/// The daily recomputation: streams every order (paid ones are "bought together" baskets), then every
/// customer's interest (a "viewed then bought" basket and the segment's popularity), page by page (one page
/// in memory), counting co-occurrence with a bounded number of pairs, checkpointing
/// the counts with the continuation token every few pages; then writes each product's related list and the
/// popular lists. Re-running a finished day does nothing; a crashed run resumes from its last checkpoint, and
/// the pages after it are counted again from the counts saved with it, so nothing counts twice. A finished
/// run's record keeps its figures, not its counts.
/// </summary>
public sealed partial class RecommendationBuilder(
    IDocumentCollection<Order> orders,
    IDocumentCollection<CustomerInterest> interests,
    IDocumentCollection<RelatedProducts> related,
    IDocumentCollection<PopularProducts> popular,
    IDocumentCollection<RecommendationRun> runs,
    RecommendationOptions options,
    TimeProvider time,
    ILogger<RecommendationBuilder> logger)
{
    /// <summary>Products kept in each popular list.</summary>
    public const int PopularKept = 50;

    /// <summary>
    /// Products the run keeps counting for each popular list (the most bought, each segment's interest): the
    /// lowest beyond it are dropped after each page, like the rarest pairs, so the checkpoint stays bounded
    /// however many products are bought or viewed; far more than a list takes, so its top is unaffected.
    /// </summary>
    public const int CandidatesKept = 10 * PopularKept;

    private readonly DailyRuns<RecommendationRun> daily = new(runs, "recommendations");

    public async Task<RecommendationRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = ChinaTime.DateOf(now);
        var stored = await daily.FindAsync(day, cancellationToken);
        var run = stored?.Value ?? new RecommendationRun { Day = day, StartedAt = now };
        if (run.CompletedAt is not null)
        {
            return run;
        }

        var rules = options.ToRules();
        var sinceCheckpoint = 0;
        while (run.Stage != RecommendationStage.Written)
        {
            var stage = run.Stage;
            run = stage == RecommendationStage.Orders
                ? await StreamAsync(orders, run, (r, page) => CountOrders(r, page, rules), cancellationToken)
                : await StreamAsync(interests, run, (r, page) => CountInterests(r, page, rules), cancellationToken);
            if (++sinceCheckpoint >= options.CheckpointEveryPages || run.Stage != stage)
            {
                // The checkpoint: a crash after this point resumes from this token with these counts.
                stored = await daily.CheckpointAsync(stored, Fitted(run), cancellationToken);
                sinceCheckpoint = 0;
            }
        }

        var written = await WriteAsync(run, rules, cancellationToken);
        run = run with { ProductsWritten = written, CompletedAt = time.GetUtcNow() };

        // Once the lists are written the counts are no longer needed: the record keeps the figures only (one a day, kept for the report).
        await daily.CheckpointAsync(stored, WithoutCounts(run), cancellationToken);
        LogRun(logger, day, run.PaidOrders, run.Customers, written, run.Pages);
        return run;
    }

    /// <summary>
    /// The most characters a run's checkpoint takes: one stored document holds 480,000 (16 chunks of 30,000), and the
    /// run's figures and token need a few hundred.
    /// </summary>
    public const int CheckpointCharacters = 450_000;

    /// <summary>
    /// The run with its counts pruned until its checkpoint fits one document: the pair bound assumes product ids as
    /// the mall issues them, and longer ids, or many thousand products sold over the mall's life, take more. Whichever
    /// of pairs and products takes more room gives up its rarest quarter (a product with its pairs), so a big catalog
    /// does not cost every pair. The rest of the run is bounded on its own (candidates per list, segments).
    /// </summary>
    public static RecommendationRun Fitted(RecommendationRun run)
    {
        var counts = run.Counts;
        while (counts.Products.Count > 0 && JsonSerializer.Serialize(run, MallJson.Options).Length > CheckpointCharacters)
        {
            if (KeyCharacters(counts.Pairs) + KeyCharacters(counts.PairCustomers) >= KeyCharacters(counts.Products))
            {
                counts.PruneTo(counts.Pairs.Count * 3 / 4);
            }
            else
            {
                counts.PruneProductsTo(counts.Products.Count * 3 / 4);
            }
        }

        return run;
    }

    private static long KeyCharacters(Dictionary<string, long> counts) => counts.Keys.Sum(k => (long)k.Length);

    /// <summary>A run's figures without the counts it works from (the report's view, and a finished run's record).</summary>
    public static RecommendationRun WithoutCounts(RecommendationRun run) =>
        run with { Counts = new(), Bought = new(StringComparer.Ordinal), BoughtBy = new(StringComparer.Ordinal), SegmentInterest = [], ContinuationToken = null };

    /// <summary>Recent runs, newest first.</summary>
    public Task<IReadOnlyList<RecommendationRun>> RecentAsync(int days, CancellationToken cancellationToken) =>
        daily.SinceAsync(ChinaTime.DateOf(time.GetUtcNow()).AddDays(-days), cancellationToken);

    /// <summary>Whether an order's products were bought: paid and not refunded in full (nor never placed).</summary>
    public static bool WasBought(Order order) =>
        order.Payment is not null && order.Status is OrderStatus.Paid or OrderStatus.Shipped or OrderStatus.Completed;

    /// <summary>Reads and counts the next page of one stream; the last page moves the run on to the next stage.</summary>
    private async Task<RecommendationRun> StreamAsync<T>(IDocumentCollection<T> source, RecommendationRun run, Func<RecommendationRun, IReadOnlyList<T>, RecommendationRun> count, CancellationToken cancellationToken)
        where T : class
    {
        var page = await source.QueryAsync(new DocumentQuery(), run.ContinuationToken, options.PageSize, cancellationToken);
        var counted = count(run, page.Items.Select(i => i.Value).ToList());
        return counted with
        {
            ContinuationToken = page.ContinuationToken,
            Pages = run.Pages + 1,
            Stage = page.ContinuationToken is null ? run.Stage + 1 : run.Stage,
        };
    }

    private static RecommendationRun CountOrders(RecommendationRun run, IReadOnlyList<Order> page, SimilarityRules rules)
    {
        var paid = 0;
        foreach (var order in page.Where(WasBought))
        {
            run.Counts.Add(order.Lines.Select(l => l.ProductId), rules);
            foreach (var productId in order.Lines.Select(l => l.ProductId).Distinct(StringComparer.Ordinal))
            {
                run.Bought[productId] = run.Bought.GetValueOrDefault(productId) + 1;
            }

            paid++;
        }

        KeepTop(run.Bought, count => count);
        return run with { PaidOrders = run.PaidOrders + paid };
    }

    /// <summary>
    /// Counts each customer's "viewed then bought" basket and their segment's interest. Product views name any id a
    /// client sends: a made-up one takes room only until the checkpoint's bound prunes it as the rarest
    /// (<see cref="Fitted"/>), and no list shows a product the catalog does not sell. An erased customer's mark counts
    /// for nothing.
    /// </summary>
    private static RecommendationRun CountInterests(RecommendationRun run, IReadOnlyList<CustomerInterest> page, SimilarityRules rules)
    {
        var counted = 0;
        foreach (var interest in page.Where(i => !i.Erased))
        {
            var basket = interest.ViewedThenBought();
            run.Counts.AddLinks(basket.Viewed, basket.Bought, rules);
            run.Counts.CountCustomer(interest.Purchases.Select(p => p.ProductId), basket, rules);

            // The orders stage is over, so Bought's candidates are final: the count stays within them.
            foreach (var productId in interest.Purchases.Select(p => p.ProductId).Distinct(StringComparer.Ordinal).Where(run.Bought.ContainsKey))
            {
                run.BoughtBy[productId] = run.BoughtBy.GetValueOrDefault(productId) + 1;
            }

            if (interest.Segment is { } segment)
            {
                var scores = run.SegmentInterest.TryGetValue(segment, out var found) ? found : run.SegmentInterest[segment] = new(StringComparer.Ordinal);
                var weights = interest.Views.Select(v => (v.ProductId, Weight: 1.0))
                    .Concat(interest.Purchases.Select(p => (p.ProductId, Weight: Ranking.PurchaseWeight)))
                    .GroupBy(w => w.ProductId, StringComparer.Ordinal);
                foreach (var product in weights)
                {
                    var before = scores.GetValueOrDefault(product.Key) ?? new SegmentScore(0, 0);
                    scores[product.Key] = new SegmentScore(before.Score + product.Sum(w => w.Weight), before.Customers + 1);
                }
            }

            counted++;
        }

        foreach (var scores in run.SegmentInterest.Values)
        {
            KeepTop(scores, score => score.Score);
        }

        return run with { Customers = run.Customers + counted };
    }

    /// <summary>Drops all but the <see cref="CandidatesKept"/> highest counts (ties by product id, so a resumed run drops the same).</summary>
    private static void KeepTop<T>(Dictionary<string, T> counts, Func<T, double> rank)
    {
        if (counts.Count <= CandidatesKept)
        {
            return;
        }

        foreach (var productId in counts.OrderByDescending(c => rank(c.Value)).ThenBy(c => c.Key, StringComparer.Ordinal).Skip(CandidatesKept).Select(c => c.Key).ToList())
        {
            counts.Remove(productId);
        }
    }

    /// <summary>
    /// Every counted product's list (an empty one when nothing is related enough, so yesterday's list does not
    /// linger) and the popular lists, then deletes every list an earlier run wrote and this one did not (a product
    /// no order counts any more, a segment nobody is in). Upserts of what the counts determine and deletes of what
    /// they do not: doing it again is harmless.
    /// </summary>
    private async Task<int> WriteAsync(RecommendationRun run, SimilarityRules rules, CancellationToken cancellationToken)
    {
        var lists = run.Counts.Related(rules);
        var products = run.Counts.Products.Keys.ToList();
        await Parallel.ForEachAsync(products, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (productId, ct) =>
            await related.UpsertAsync(DocumentKey.Single(productId), new RelatedProducts(productId, lists.GetValueOrDefault(productId) ?? [], run.Day), ct));
        // Bought by as many customers as a pair needs: one customer's orders are not "popular" to show everyone.
        var mostBought = Ranking.Top(run.Bought.Where(b => run.BoughtBy.GetValueOrDefault(b.Key) >= rules.MinCustomers).Select(b => new ScoredProduct(b.Key, b.Value)), PopularKept);
        await popular.UpsertAsync(PopularKey(PopularProducts.Everyone), new PopularProducts(PopularProducts.Everyone, mostBought, run.Day), cancellationToken);
        foreach (var (segment, scores) in run.SegmentInterest)
        {
            // As many customers behind a listed product as a pair needs: one customer's browsing is not shown to others.
            var top = Ranking.Top(scores.Where(s => s.Value.Customers >= rules.MinCustomers).Select(s => new ScoredProduct(s.Key, s.Value.Score)), PopularKept);
            await popular.UpsertAsync(PopularKey(segment), new PopularProducts(segment, top, run.Day), cancellationToken);
        }

        await DeleteStaleAsync(related, new DocumentQuery(), r => r.ComputedOn, run.Day, cancellationToken);
        await DeleteStaleAsync(popular, new DocumentQuery { PartitionKey = PopularKey(PopularProducts.Everyone).PartitionKey }, p => p.ComputedOn, run.Day, cancellationToken);
        return products.Count;
    }

    /// <summary>Deletes the lists computed before <paramref name="day"/>: a run writes every list it computes, so those are the ones it no longer does.</summary>
    private static async Task DeleteStaleAsync<T>(IDocumentCollection<T> lists, DocumentQuery query, Func<T, DateOnly> computedOn, DateOnly day, CancellationToken cancellationToken)
        where T : class
    {
        await foreach (var list in lists.ScanAsync(query, 1000, cancellationToken))
        {
            if (computedOn(list.Value) < day)
            {
                try
                {
                    await lists.DeleteAsync(list.Key, list.ETag, cancellationToken);
                }
                catch (ConcurrencyConflictException)
                {
                    // Written again since it was read: no longer stale.
                }
            }
        }
    }

    public static DocumentKey PopularKey(string segment) => new("popular", segment);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recommendations {Day}: {PaidOrders} paid orders, {Customers} customers, {Products} related lists, {Pages} pages")]
    private static partial void LogRun(ILogger logger, DateOnly day, int paidOrders, int customers, int products, int pages);
}
