using System.Collections.Concurrent;
using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;
using Mall.Domain.Inventory;

namespace Mall.Application.FlashSale;

/// <summary>
/// A flash sale's units in storage: <see cref="FlashShard"/>s in separate partitions, each unit
/// taken by one ETag-guarded write of one shard, and each customer's takes recorded by conditional
/// insert of a <see cref="FlashTake"/> slot, so the sale never sells more than its quantity, nor
/// more than the limit to one customer, on any number of instances. Every step is idempotent per
/// order: a request retried with the same Idempotency-Key finds the unit its order already holds.
/// <para>
/// Two requests for one order at once (a client retry while the first still runs) could each take a
/// unit in a different shard. The second marks the take record (<see cref="FlashTake.DuplicateSeen"/>)
/// before it looks, and the first checks the mark after its take; of the two, at least one then sees
/// both units and keeps the one in the lowest shard, so one unit stays with the order. In the same
/// way an order that ends while a request still takes its unit: its release marks the take record
/// released before it looks in the shards, and the taker reads the record after its write, so one of
/// them finds the unit and gives it back.
/// </para>
/// </summary>
public sealed class FlashStock(
    IDocumentCollection<FlashShard> shards,
    IDocumentCollection<FlashTake> takes,
    FullShardHints hints,
    CounterStore counters,
    RecentProductViews recentViews,
    FlashSaleOptions options,
    TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (int Remaining, DateTimeOffset At)> recentRemaining = new();

    /// <summary>Writes lost to a concurrent take before a reservation answers BUSY (each retried on another shard first).</summary>
    private const int MaxConflictsPerTake = 64;

    public static DocumentKey ShardKey(string saleId, int shard) => DocumentKey.Single($"flashshard|{saleId}|{shard:D3}");

    private static string TakePartition(string saleId, string customerId) => $"flashtake|{saleId}|{customerId}";

    private static DocumentKey StockOf(FlashSaleSession sale) => CounterKeys.Stock(sale.ProductId, sale.SkuId);

    /// <summary>Moves the sale's quantity out of normal stock, once for the sale's life.</summary>
    /// <returns>False when normal stock has fewer units than the sale's quantity (nothing moved).</returns>
    public async Task<bool> MoveInAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var operationId = $"flash:{sale.Id}";
        if (await counters.ApplyAsync(StockOf(sale), operationId, -sale.Quantity, 0, long.MaxValue, cancellationToken) == CounterOutcome.Refused)
        {
            return false;
        }

        await counters.SettleAsync(StockOf(sale), operationId, cancellationToken);
        recentViews.Forget(sale.ProductId);
        for (var shard = 0; shard < sale.Shards; shard++)
        {
            try
            {
                await shards.InsertAsync(ShardKey(sale.Id, shard), new FlashShard(sale.CapacityOf(shard)), [], cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Created by an earlier attempt of this step.
            }
        }

        return true;
    }

    /// <summary>The customer's takes of the sale by other orders than <paramref name="orderId"/> that still count (a cheap check before placing an order).</summary>
    public async Task<int> OtherTakesAsync(FlashSaleSession sale, string customerId, string orderId, CancellationToken cancellationToken) =>
        (await TakesOfAsync(sale.Id, customerId, cancellationToken)).Count(t => t.Value.OrderId != orderId && !t.Value.Released);

    /// <summary>Takes one unit of the sale for the order.</summary>
    /// <exception cref="DomainException">FLASH_SALE_LIMIT_REACHED, FLASH_SALE_SOLD_OUT, FLASH_SALE_ENDED, INVALID_ORDER_STATE (the order ended meanwhile), or BUSY.</exception>
    public async Task TakeAsync(FlashSaleSession sale, string customerId, string orderId, CancellationToken cancellationToken)
    {
        var (take, duplicate) = await ClaimSlotAsync(sale, customerId, orderId, cancellationToken);
        if (duplicate)
        {
            take = await MarkDuplicateAsync(take, cancellationToken);
            if (take is null)
            {
                // The first request gave the slot up (sold out) while this one arrived: start over as the only one.
                await TakeAsync(sale, customerId, orderId, cancellationToken);
                return;
            }

            if ((await HeldShardsAsync(sale, orderId, cancellationToken)).Count > 0)
            {
                await KeepOneUnitAsync(sale, orderId, cancellationToken);
                return;
            }
        }

        int? taken;
        try
        {
            taken = await TakeFromAnyShardAsync(sale, orderId, cancellationToken);
        }
        catch (DomainException busy) when (busy.Code == ErrorCode.Busy && !duplicate)
        {
            // Nothing taken: the slot goes back, so a customer told to retry is not held at the limit meanwhile.
            await GiveUpSlotAsync(take, CancellationToken.None);
            throw;
        }

        if (taken is null)
        {
            if (!duplicate)
            {
                await GiveUpSlotAsync(take, cancellationToken);
            }

            throw sale.PhaseAt(time.GetUtcNow()) == FlashSalePhase.Live
                ? new DomainException(ErrorCode.FlashSaleSoldOut, "This flash sale is sold out.")
                : new DomainException(ErrorCode.FlashSaleEnded, "This flash sale has ended.");
        }

        var now = (await takes.FindAsync(take.Key, cancellationToken))?.Value;
        if (now is null || now.OrderId != orderId || now.Released)
        {
            // The order ended while this request took its unit, and its release may have looked before the take.
            await ReleaseUnitAsync(sale, taken.Value, orderId, cancellationToken);
            throw Ended(orderId);
        }

        if (duplicate || now.DuplicateSeen)
        {
            await KeepOneUnitAsync(sale, orderId, cancellationToken);
        }
    }

    /// <summary>
    /// The order ended unpaid (or its placement was withdrawn): its unit goes back — to the sale while
    /// it runs, to normal stock once its shard has closed — and its take no longer counts. Safe to repeat.
    /// </summary>
    public async Task ReleaseAsync(FlashSaleSession sale, string customerId, string orderId, CancellationToken cancellationToken)
    {
        var mine = (await TakesOfAsync(sale.Id, customerId, cancellationToken)).Where(t => t.Value.OrderId == orderId).ToList();
        if (mine.Count == 0)
        {
            // Takes are recorded before any unit is taken and never removed once one may be: nothing is held.
            return;
        }

        // Marked first, so a request still taking for this order sees it after its write (see the class remarks).
        foreach (var take in mine.Where(t => !t.Value.Released))
        {
            await takes.TransitionFromAsync(
                take.Key,
                take,
                current => current is null || current.Value.OrderId != orderId || current.Value.Released
                    ? Decision.Keep<FlashTake, bool>(false)
                    : Decision.Write(current.Value with { Released = true }, true),
                cancellationToken);
        }

        foreach (var shard in await HeldShardsAsync(sale, orderId, cancellationToken))
        {
            await ReleaseUnitAsync(sale, shard, orderId, cancellationToken);
        }
    }

    /// <summary>
    /// Closes every shard (nothing more is taken) and returns what each had left to normal stock, once
    /// per shard for the sale's life. The sale's quantity is moved in first if it never was (a creation
    /// that stopped half-way, or is still running), so every shard exists when it is closed. Units
    /// still held by unpaid orders go back when those end.
    /// </summary>
    /// <returns>The units returned by all closed shards (this call's and earlier ones'); 0 when nothing was ever moved in.</returns>
    public async Task<int> CloseAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        if (!await MoveInAsync(sale, cancellationToken))
        {
            return 0;
        }

        var returned = 0;
        for (var shard = 0; shard < sale.Shards; shard++)
        {
            var closed = await shards.TransitionAsync(
                ShardKey(sale.Id, shard),
                current => current!.Value.Closed ? Decision.Keep<FlashShard, FlashShard>(current.Value) : Decision.Write(current.Value.Close(), current.Value.Close()),
                cancellationToken);
            if (closed.UnsoldAtClose > 0)
            {
                var operationId = $"flash-unsold:{sale.Id}:{shard}";
                await counters.ApplyAsync(StockOf(sale), operationId, closed.UnsoldAtClose, long.MinValue, long.MaxValue, cancellationToken);
                await counters.SettleAsync(StockOf(sale), operationId, cancellationToken);
            }

            returned += closed.UnsoldAtClose;
        }

        hints.Forget(sale);
        recentViews.Forget(sale.ProductId);
        return returned;
    }

    /// <summary>
    /// Whether the sale is sold out as far as this instance knows, without a storage call while its marks
    /// are fresh. When they have aged, one caller reads every shard again (in parallel) and the others
    /// answer from the old marks meanwhile.
    /// </summary>
    public async Task<bool> SeemsSoldOutAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        if (hints.AllFull(sale))
        {
            return true;
        }

        if (!hints.AllSeenFull(sale))
        {
            return false;
        }

        if (!hints.TryBeginRefresh(sale))
        {
            return true;
        }

        try
        {
            var readAt = time.GetUtcNow();
            var all = await ReadShardsAsync(sale, cancellationToken);
            for (var shard = 0; shard < sale.Shards; shard++)
            {
                if (all[shard] is { Value.Remaining: 0 })
                {
                    hints.MarkFull(sale, shard, readAt);
                }
                else
                {
                    hints.Forget(sale, shard);
                }
            }

            return hints.AllFull(sale);
        }
        finally
        {
            hints.EndRefresh(sale);
        }
    }

    /// <summary>The sale's shards as they stand now, read at once: units not held, units held or sold, and orders holding a unit in more than one shard (should be none).</summary>
    public async Task<ShardFigures> FiguresAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var all = await ReadShardsAsync(sale, cancellationToken);
        var holders = all.Where(s => s is not null).SelectMany(s => s!.Value.Holders).ToList();
        return new ShardFigures(all.Sum(s => s?.Value.Remaining ?? 0), holders.Count, holders.GroupBy(h => h).Count(g => g.Count() > 1));
    }

    /// <summary>Units not held, as counted within the last <see cref="FlashSaleOptions.SaleCacheMilliseconds"/> on this instance, and when.</summary>
    public async Task<(int Remaining, DateTimeOffset At)> RecentRemainingAsync(FlashSaleSession sale, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (recentRemaining.TryGetValue(sale.Id, out var recent) && recent.At.AddMilliseconds(options.SaleCacheMilliseconds) > now)
        {
            return recent;
        }

        var counted = ((await FiguresAsync(sale, cancellationToken)).Remaining, now);
        if (recentRemaining.Count > 10 * FlashSales.MaxPerDay)
        {
            recentRemaining.Clear();
        }

        recentRemaining[sale.Id] = counted;
        return counted;
    }

    private async Task<IReadOnlyList<Versioned<FlashTake>>> TakesOfAsync(string saleId, string customerId, CancellationToken cancellationToken) =>
        (await takes.QueryAsync(new DocumentQuery { PartitionKey = TakePartition(saleId, customerId) }, null, 100, cancellationToken)).Items;

    /// <summary>
    /// The next slot of the customer's takes, by conditional insert, while fewer than the limit count; or
    /// the slot this order already has (then this is a duplicate request). Slots are never reused, so an
    /// order's take record stays where its release finds it.
    /// </summary>
    private async Task<(Versioned<FlashTake> Take, bool Duplicate)> ClaimSlotAsync(FlashSaleSession sale, string customerId, string orderId, CancellationToken cancellationToken)
    {
        while (true)
        {
            var existing = await TakesOfAsync(sale.Id, customerId, cancellationToken);
            if (existing.FirstOrDefault(t => t.Value.OrderId == orderId) is { } mine)
            {
                return mine.Value.Released ? throw Ended(orderId) : (mine, true);
            }

            if (existing.Count(t => !t.Value.Released) >= sale.PerCustomerLimit || existing.Count >= FlashTake.MaxSlots)
            {
                throw new DomainException(ErrorCode.FlashSaleLimitReached, $"Each customer may buy at most {sale.PerCustomerLimit} in this flash sale.");
            }

            var next = existing.Count == 0 ? 0 : existing.Max(t => int.Parse(t.Key.RowKey, System.Globalization.CultureInfo.InvariantCulture)) + 1;
            var key = new DocumentKey(TakePartition(sale.Id, customerId), next.ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            try
            {
                return (await takes.InsertAsync(key, new FlashTake(orderId, time.GetUtcNow()), [], cancellationToken), false);
            }
            catch (ConcurrencyConflictException)
            {
                // Another take of this customer claimed that slot at the same moment: count again.
            }
        }
    }

    private static DomainException Ended(string orderId) =>
        new(ErrorCode.InvalidOrderState, $"Order {orderId} ended while its flash-sale unit was being taken; reserve again with a new Idempotency-Key.");

    private async Task<Versioned<FlashTake>?> MarkDuplicateAsync(Versioned<FlashTake> take, CancellationToken cancellationToken)
    {
        try
        {
            return take.Value.DuplicateSeen ? take : await takes.ReplaceAsync(take, take.Value with { DuplicateSeen = true }, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            var current = await takes.FindAsync(take.Key, cancellationToken);
            if (current is { Value.Released: true })
            {
                throw Ended(take.Value.OrderId);
            }

            return current is null || current.Value.OrderId != take.Value.OrderId ? null : await MarkDuplicateAsync(current, cancellationToken);
        }
    }

    /// <summary>
    /// Gives the slot back after finding no unit; guarded, so a duplicate request that marked it
    /// meanwhile (and may hold a unit) keeps it — the order's release frees it then, looking in
    /// every shard. (A duplicate itself never gives it up, for the same reason.)
    /// </summary>
    private async Task GiveUpSlotAsync(Versioned<FlashTake> take, CancellationToken cancellationToken)
    {
        try
        {
            await takes.DeleteAsync(take.Key, take.ETag, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Marked by a duplicate: left for the order's release, which looks in every shard.
        }
    }

    /// <summary>
    /// One guarded write of one shard, starting at a random shard and skipping those recently seen
    /// full; a lost write moves on to the next shard (and comes back later). Null: every shard is full.
    /// </summary>
    private async Task<int?> TakeFromAnyShardAsync(FlashSaleSession sale, string orderId, CancellationToken cancellationToken)
    {
        var candidates = new Queue<int>();
        var start = Random.Shared.Next(sale.Shards);
        for (var i = 0; i < sale.Shards; i++)
        {
            var shard = (start + i) % sale.Shards;
            if (!hints.IsFull(sale, shard))
            {
                candidates.Enqueue(shard);
            }
        }

        var conflicts = 0;
        while (candidates.TryDequeue(out var shard))
        {
            var key = ShardKey(sale.Id, shard);
            var current = await shards.FindAsync(key, cancellationToken);
            if (current is null)
            {
                continue;
            }

            var (next, outcome) = current.Value.Take(orderId);
            switch (outcome)
            {
                case ShardTake.AlreadyHeld:
                    return shard;
                case ShardTake.Full:
                    hints.MarkFull(sale, shard);
                    continue;
            }

            try
            {
                await shards.ReplaceAsync(current, next, [], cancellationToken);
                return shard;
            }
            catch (ConcurrencyConflictException) when (++conflicts < MaxConflictsPerTake)
            {
                // Someone else wrote this shard first: try it again after the others, with a little jitter when it is the last.
                candidates.Enqueue(shard);
                if (candidates.Count == 1)
                {
                    await Task.Delay(Math.Min(50, conflicts) + Random.Shared.Next(0, 3 + conflicts), cancellationToken);
                }
            }
            catch (ConcurrencyConflictException exception)
            {
                throw new DomainException(ErrorCode.Busy, "The flash sale is very busy; please retry.", null, exception);
            }
        }

        return null;
    }

    private Task<Versioned<FlashShard>?[]> ReadShardsAsync(FlashSaleSession sale, CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, sale.Shards).Select(s => shards.FindAsync(ShardKey(sale.Id, s), cancellationToken)));

    private async Task<IReadOnlyList<int>> HeldShardsAsync(FlashSaleSession sale, string orderId, CancellationToken cancellationToken)
    {
        var all = await ReadShardsAsync(sale, cancellationToken);
        return Enumerable.Range(0, sale.Shards).Where(s => all[s]?.Value.Holds(orderId) == true).ToList();
    }

    /// <summary>Of the units the order holds, keeps the one in the lowest shard: every request that looks chooses the same one.</summary>
    private async Task KeepOneUnitAsync(FlashSaleSession sale, string orderId, CancellationToken cancellationToken)
    {
        foreach (var extra in (await HeldShardsAsync(sale, orderId, cancellationToken)).Skip(1))
        {
            await ReleaseUnitAsync(sale, extra, orderId, cancellationToken);
        }
    }

    /// <summary>
    /// Frees the order's unit in one shard. A closed shard's unit goes to normal stock first (an
    /// operation recognised for good), then leaves the shard, so a retry after a crash between the
    /// two writes does not return it twice.
    /// </summary>
    private async Task ReleaseUnitAsync(FlashSaleSession sale, int shard, string orderId, CancellationToken cancellationToken)
    {
        var key = ShardKey(sale.Id, shard);
        var current = await shards.FindAsync(key, cancellationToken);
        if (current is null || !current.Value.Holds(orderId))
        {
            return;
        }

        if (current.Value.Closed)
        {
            var operationId = $"flash-release:{sale.Id}:{shard}:{orderId}";
            await counters.ApplyAsync(StockOf(sale), operationId, 1, long.MinValue, long.MaxValue, cancellationToken);
            await counters.SettleAsync(StockOf(sale), operationId, cancellationToken);
            recentViews.Forget(sale.ProductId);
        }

        var outcome = await shards.TransitionFromAsync(
            key,
            current,
            c => c is null || !c.Value.Holds(orderId) ? Decision.Keep<FlashShard, UnitRelease>(UnitRelease.Gone)
                : c.Value.Closed != current.Value.Closed ? Decision.Keep<FlashShard, UnitRelease>(UnitRelease.ClosedMeanwhile)
                : Decision.Write(c.Value.Release(orderId), UnitRelease.Released),
            cancellationToken);
        if (outcome == UnitRelease.ClosedMeanwhile)
        {
            // The shard closed between the read and the write: the unit goes to normal stock instead.
            await ReleaseUnitAsync(sale, shard, orderId, cancellationToken);
            return;
        }

        hints.Forget(sale, shard);
    }

    private enum UnitRelease
    {
        Gone,
        Released,
        ClosedMeanwhile,
    }
}

/// <param name="Remaining">Units no order holds, in shards still open.</param>
/// <param name="Held">Units held by orders, paid or awaiting payment.</param>
/// <param name="OrdersHoldingTwice">Orders holding a unit in more than one shard (should be none).</param>
public sealed record ShardFigures(int Remaining, int Held, int OrdersHoldingTwice);

/// <summary>
/// Which shards of a sale this instance saw full lately: a reservation skips them, and when all are,
/// answers sold out without touching storage. When the marks of a sold-out sale age, one request per
/// instance reads all its shards again (the others keep answering from the marks meanwhile), so they
/// all expire together once per <see cref="FlashSaleOptions.FullShardCacheMilliseconds"/>. Only a hint —
/// a unit freed by an expired order is seen again within that time; correctness rests on the shards'
/// guarded writes alone.
/// </summary>
public sealed class FullShardHints(FlashSaleOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string SaleId, int Shard), DateTimeOffset> fullUntil = new();
    private readonly ConcurrentDictionary<string, byte> refreshing = new();

    public bool IsFull(FlashSaleSession sale, int shard) => fullUntil.TryGetValue((sale.Id, shard), out var until) && until > time.GetUtcNow();

    public bool AllFull(FlashSaleSession sale) => Enumerable.Range(0, sale.Shards).All(shard => IsFull(sale, shard));

    /// <summary>Every shard was seen full, however long ago (the marks may need reading again).</summary>
    public bool AllSeenFull(FlashSaleSession sale) => Enumerable.Range(0, sale.Shards).All(shard => fullUntil.ContainsKey((sale.Id, shard)));

    /// <summary>Whether this caller is the one to read the sale's shards again now (the others answer from the marks).</summary>
    public bool TryBeginRefresh(FlashSaleSession sale) => refreshing.TryAdd(sale.Id, 0);

    public void EndRefresh(FlashSaleSession sale) => refreshing.TryRemove(sale.Id, out _);

    public void MarkFull(FlashSaleSession sale, int shard) => MarkFull(sale, shard, time.GetUtcNow());

    public void MarkFull(FlashSaleSession sale, int shard, DateTimeOffset seenAt)
    {
        if (options.FullShardCacheMilliseconds > 0)
        {
            if (fullUntil.Count > 100_000)
            {
                // Hints of sales long over; correctness never needed them.
                fullUntil.Clear();
            }

            fullUntil[(sale.Id, shard)] = seenAt.AddMilliseconds(options.FullShardCacheMilliseconds);
        }
    }

    public void Forget(FlashSaleSession sale, int shard) => fullUntil.TryRemove((sale.Id, shard), out _);

    public void Forget(FlashSaleSession sale)
    {
        for (var shard = 0; shard < sale.Shards; shard++)
        {
            Forget(sale, shard);
        }
    }
}
