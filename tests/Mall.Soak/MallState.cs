using System.Security.Cryptography;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Mall.Application.FlashSale;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Domain.FlashSale;
using Mall.Domain.GroupBuy;
using Mall.Domain.Inventory;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Presale;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Soak;

/// <summary>A stock-counter operation of a flash sale (flash:, flash-unsold:, flash-release:), from its receipt or its pending mark.</summary>
public sealed record FlashOperation(string SkuId, string OperationId, long Delta, bool Pending);

/// <summary>A customer's take slot in a flash sale (table FlashTakes, partition flashtake|{sale}|{customer}).</summary>
public sealed record FlashTakeSlot(string SaleId, string CustomerId, string Slot, FlashTake Take);

/// <summary>An outstanding entry of the mall's due-work table.</summary>
public sealed record DueEntry(string Kind, string Subject, DateTimeOffset DueAt, int Attempts, string? LastError);

/// <summary>
/// The mall's state as its own storage classes read it from Azure Tables (and its dispatch queue):
/// what the checks and the quiescence loop look at. Read only.
/// </summary>
public sealed class MallState
{
    public required IReadOnlyList<Versioned<Order>> Orders { get; init; }

    public required IReadOnlyDictionary<string, Versioned<GuardedCounter>> StockCounters { get; init; }

    public required IReadOnlyList<StockAdjustment> Adjustments { get; init; }

    public required IReadOnlyList<Versioned<Customer>> Customers { get; init; }

    public required IReadOnlyList<PointsEntry> PointsLedger { get; init; }

    public required IReadOnlyList<Versioned<OrderPoints>> OrderPoints { get; init; }

    public required IReadOnlyList<Versioned<GroupBuyGroup>> Groups { get; init; }

    public required IReadOnlyList<Versioned<PresaleReservation>> Reservations { get; init; }

    public required IReadOnlyList<PresaleCampaign> PresaleCampaigns { get; init; }

    /// <summary>Forfeited deposit orders whose unit went back on sale: the counter took (or settled) the "forfeit:{order}" operation.</summary>
    public required IReadOnlySet<string> ForfeitsReturned { get; init; }

    public required IReadOnlyList<DueEntry> DueWork { get; init; }

    public required IReadOnlyList<Versioned<FlashSaleSession>> FlashSales { get; init; }

    /// <summary>Every flash sale's shards, by sale id and shard number.</summary>
    public required IReadOnlyDictionary<(string SaleId, int Shard), Versioned<FlashShard>> FlashShards { get; init; }

    public required IReadOnlyList<FlashTakeSlot> FlashTakes { get; init; }

    /// <summary>The flash SKUs' counter operations of flash sales, settled (receipts) or pending.</summary>
    public required IReadOnlyList<FlashOperation> FlashOperations { get; init; }

    /// <summary>Flash sales not closed whose end is still to come (the end phase waits for them).</summary>
    public IEnumerable<FlashSaleSession> RunningFlashSales =>
        FlashSales.Select(s => s.Value).Where(s => s.Status is FlashSaleStatus.Scheduled or FlashSaleStatus.Preparing && s.EndsAt > ReadAt);

    /// <summary>Messages on the dispatch queue (visible or not) and on its poison queue.</summary>
    public required (int Queued, int Poisoned) Dispatch { get; init; }

    /// <summary>
    /// Dispatch messages a poll would get now (at most 32 counted). The others are invisible: follow-ups
    /// sent with a delay (e.g. until a killed host's delivery lease ends), or messages a killed host had
    /// received, back when their 10-minute processing visibility ends, as on Azure.
    /// </summary>
    public required int VisibleDispatch { get; init; }

    /// <summary>
    /// Dispatch messages that may still deliver something: all of them while an outbox holds events, else only
    /// the visible ones. With every outbox empty an invisible message is a delayed follow-up or a repeated
    /// announcement of events already delivered (each delivery is recorded for good, so it runs nothing again);
    /// a soak need not wait out their delays (up to a retry's 30 minutes).
    /// </summary>
    public int DispatchThatMayDeliver => PendingOutboxes.Count > 0 ? Dispatch.Queued : VisibleDispatch;

    /// <summary>Messages on the Durable Task hub's control and work-item queues, and how many of them a poll would get now.</summary>
    public required (int Queued, int Visible) Orchestration { get; init; }

    public required DateTimeOffset ReadAt { get; init; }

    /// <summary>
    /// What the first undelivered events (at most 20) are and where each subscriber's delivery of them
    /// stands, so a run that does not drain says why.
    /// </summary>
    public required IReadOnlyList<string> UndeliveredEvents { get; init; }

    /// <summary>Documents whose outbox still holds events not yet dispatched ("order O1", "customer C1", …).</summary>
    public IReadOnlySet<string> PendingOutboxes => pendingOutboxes ??=
        Orders.Where(o => o.PendingEvents.Count > 0).Select(o => $"order {o.Key.PartitionKey}")
            .Concat(Customers.Where(c => c.PendingEvents.Count > 0).Select(c => $"customer {c.Key.PartitionKey}"))
            .Concat(OrderPoints.Where(p => p.PendingEvents.Count > 0).Select(p => $"order points {p.Key.PartitionKey}"))
            .Concat(Groups.Where(g => g.PendingEvents.Count > 0).Select(g => $"group {g.Key.PartitionKey}"))
            .Concat(Reservations.Where(r => r.PendingEvents.Count > 0).Select(r => $"presale {r.Key.PartitionKey}"))
            .ToHashSet(StringComparer.Ordinal);

    private IReadOnlySet<string>? pendingOutboxes;

    public IEnumerable<DueEntry> DueNow => DueWork.Where(w => w.DueAt <= ReadAt);

    /// <summary>
    /// Due work that can still change something: an unpaid order's expiry or payment query counts only
    /// while the order is unpaid (every order has both entries, due a minute after it was placed).
    /// </summary>
    public IEnumerable<DueEntry> DueNowThatMatters
    {
        get
        {
            var awaitingPayment = Orders.Where(o => o.Value.IsAwaitingPayment).Select(o => o.Value.Id).ToHashSet(StringComparer.Ordinal);

            // A sale's close finds nothing to do once the sale is closed (ended early, cancelled, or closed already).
            var closedSales = FlashSales.Where(s => s.Value.UnsoldReturned is not null).Select(s => s.Value.Id).ToHashSet(StringComparer.Ordinal);
            return DueNow.Where(w => w.Kind switch
            {
                OrderWork.Expiry or PaymentWork.Check => awaitingPayment.Contains(w.Subject),
                FlashSaleWork.Close => !closedSales.Contains(w.Subject),
                _ => true,
            });
        }
    }

    /// <summary>
    /// Changes whenever a document the checks read is written (its ETag changes); not when due work that
    /// finds nothing to do is removed, nor when follow-up messages wait invisibly.
    /// </summary>
    public string Fingerprint
    {
        get
        {
            var tags = Orders.Select(o => o.ETag)
                .Concat(StockCounters.Values.Select(c => c.ETag))
                .Concat(Customers.Select(c => c.ETag))
                .Concat(Groups.Select(g => g.ETag))
                .Concat(Reservations.Select(r => r.ETag))
                .Concat(OrderPoints.Select(p => p.ETag))
                .Concat(FlashSales.Select(f => f.ETag))
                .Concat(FlashShards.Values.Select(f => f.ETag))
                .Append($"{FlashTakes.Count(t => !t.Take.Released)}|{FlashOperations.Count}")
                .Append($"{PointsLedger.Count}|{Adjustments.Count}|{Dispatch.Poisoned}|{VisibleDispatch}|{Orchestration.Visible}");
            return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', tags))))[..16];
        }
    }

    public static async Task<MallState> ReadAsync(IServiceProvider services, string storageConnection, string dispatchQueue, string taskHub, IEnumerable<SoakSku> skus, CancellationToken cancellationToken)
    {
        var counters = services.GetRequiredService<IDocumentCollection<GuardedCounter>>();
        var stock = new Dictionary<string, Versioned<GuardedCounter>>(StringComparer.Ordinal);
        foreach (var sku in skus)
        {
            if (await counters.FindAsync(CounterKeys.Stock(sku.ProductId, sku.SkuId), cancellationToken) is { } counter)
            {
                stock[sku.SkuId] = counter;
            }
        }

        var orders = await AllAsync<Order>(services, cancellationToken);
        var reservations = await AllAsync<PresaleReservation>(services, cancellationToken);
        var receipts = services.GetRequiredService<IDocumentCollection<SettledOperation>>();
        var forfeitsReturned = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deposit in reservations.Where(r => r.Value.Status == PresaleStatus.Forfeited).Select(r => orders.FirstOrDefault(o => o.Value.Id == r.Value.DepositOrderId)?.Value).OfType<Order>())
        {
            var line = deposit.Lines[0];
            var counterKey = CounterKeys.Stock(line.ProductId, line.SkuId);
            var operation = $"forfeit:{deposit.Id}";
            var receipt = new DocumentKey(StorageKeys.Escape($"{counterKey.PartitionKey}|{counterKey.RowKey}"), StorageKeys.Escape(operation));
            if ((stock.TryGetValue(line.SkuId, out var counter) && counter.Value.Pending.ContainsKey(operation)) || await receipts.FindAsync(receipt, cancellationToken) is not null)
            {
                forfeitsReturned.Add(deposit.Id);
            }
        }

        var customers = await AllAsync<Customer>(services, cancellationToken);
        var orderPoints = await AllAsync<OrderPoints>(services, cancellationToken);
        var groups = await AllAsync<GroupBuyGroup>(services, cancellationToken);
        var deliveries = services.GetRequiredService<IDocumentCollection<EventDelivery>>();
        var undelivered = new List<string>();
        var pending = orders.Select(o => ($"order {o.Key.PartitionKey}", o.PendingEvents))
            .Concat(customers.Select(c => ($"customer {c.Key.PartitionKey}", c.PendingEvents)))
            .Concat(orderPoints.Select(p => ($"order points {p.Key.PartitionKey}", p.PendingEvents)))
            .Concat(groups.Select(g => ($"group {g.Key.PartitionKey}", g.PendingEvents)))
            .Concat(reservations.Select(r => ($"presale {r.Key.PartitionKey}", r.PendingEvents)))
            .SelectMany(d => d.PendingEvents.Select(e => (Document: d.Item1, Event: e)))
            .Take(20);
        foreach (var (document, envelope) in pending)
        {
            var states = new List<string>();
            await foreach (var delivery in deliveries.ScanAsync(new DocumentQuery { PartitionKey = StorageKeys.Escape(envelope.Id) }, 100, cancellationToken))
            {
                var d = delivery.Value;
                states.Add($"{d.Subscriber} {d.State} x{d.Attempts}{(d.LeaseUntil is { } lease ? $" lease until {lease:HH:mm:ss}" : string.Empty)}{(d.NextAttemptAt is { } next ? $" next {next:HH:mm:ss}" : string.Empty)}");
            }

            undelivered.Add($"{document}: {envelope.Type} {envelope.Id} — {(states.Count == 0 ? "no delivery started" : string.Join("; ", states))}");
        }

        var flashShards = new Dictionary<(string, int), Versioned<FlashShard>>();
        foreach (var shard in await AllAsync<FlashShard>(services, cancellationToken))
        {
            // flashshard|{saleId}|{shard:D3}
            var parts = shard.Key.PartitionKey.Split('|');
            flashShards[(parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture))] = shard;
        }

        var flashTakes = (await AllAsync<FlashTake>(services, cancellationToken)).Select(t =>
        {
            // flashtake|{saleId}|{customerId}
            var parts = t.Key.PartitionKey.Split('|');
            return new FlashTakeSlot(parts[1], parts[2], t.Key.RowKey, t.Value);
        }).ToList();
        var flashOperations = new List<FlashOperation>();
        foreach (var sku in skus)
        {
            var counterKey = CounterKeys.Stock(sku.ProductId, sku.SkuId);
            await foreach (var receipt in receipts.ScanAsync(new DocumentQuery { PartitionKey = StorageKeys.Escape($"{counterKey.PartitionKey}|{counterKey.RowKey}") }, 1000, cancellationToken))
            {
                if (receipt.Key.RowKey.StartsWith("flash", StringComparison.Ordinal))
                {
                    flashOperations.Add(new FlashOperation(sku.SkuId, receipt.Key.RowKey, receipt.Value.Delta, Pending: false));
                }
            }

            if (stock.TryGetValue(sku.SkuId, out var counter))
            {
                // Pending and settled at once only when a settle ran between the two reads: counted once.
                var settled = flashOperations.Where(o => o.SkuId == sku.SkuId).Select(o => o.OperationId).ToHashSet(StringComparer.Ordinal);
                flashOperations.AddRange(counter.Value.Pending.Where(p => p.Key.StartsWith("flash", StringComparison.Ordinal) && !settled.Contains(p.Key)).Select(p => new FlashOperation(sku.SkuId, p.Key, p.Value, Pending: true)));
            }
        }

        var dueTable = await services.GetRequiredService<TableProvider>().GetAsync(TableDueWorkScheduler.TableName, cancellationToken);
        var due = new List<DueEntry>();
        await foreach (var entity in dueTable.QueryAsync<TableEntity>(cancellationToken: cancellationToken))
        {
            due.Add(new DueEntry(entity.GetString("Kind"), entity.GetString("Subject"), entity.GetDateTimeOffset("DueAt") ?? DateTimeOffset.MinValue, entity.GetInt32("Attempts") ?? 0, entity.GetString("LastError")));
        }

        return new MallState
        {
            Orders = orders,
            StockCounters = stock,
            Adjustments = [.. (await AllAsync<StockAdjustment>(services, cancellationToken)).Select(a => a.Value)],
            Customers = customers,
            PointsLedger = [.. (await AllAsync<PointsEntry>(services, cancellationToken)).Select(p => p.Value)],
            OrderPoints = orderPoints,
            Groups = groups,
            UndeliveredEvents = undelivered,
            Reservations = reservations,
            ForfeitsReturned = forfeitsReturned,
            PresaleCampaigns = [.. (await AllAsync<PresaleCampaign>(services, cancellationToken)).Select(c => c.Value)],
            DueWork = due,
            FlashSales = await AllAsync<FlashSaleSession>(services, cancellationToken),
            FlashShards = flashShards,
            FlashTakes = flashTakes,
            FlashOperations = flashOperations,
            VisibleDispatch = await VisibleAsync(storageConnection, dispatchQueue, cancellationToken),
            Orchestration = await TaskHubQueuesAsync(storageConnection, taskHub, cancellationToken),
            Dispatch = (await CountAsync(storageConnection, dispatchQueue, cancellationToken), await CountAsync(storageConnection, dispatchQueue + "-poison", cancellationToken)),
            ReadAt = DateTimeOffset.UtcNow,
        };
    }

    private static async Task<IReadOnlyList<Versioned<T>>> AllAsync<T>(IServiceProvider services, CancellationToken cancellationToken)
        where T : class
    {
        var all = new List<Versioned<T>>();
        await foreach (var document in services.GetRequiredService<IDocumentCollection<T>>().ScanAsync(new DocumentQuery(), 1000, cancellationToken))
        {
            all.Add(document);
        }

        return all;
    }

    private static async Task<(int Queued, int Visible)> TaskHubQueuesAsync(string connection, string taskHub, CancellationToken cancellationToken)
    {
        var (queued, visible) = (0, 0);
        var service = new QueueServiceClient(connection);
        await foreach (var queue in service.GetQueuesAsync(prefix: taskHub.ToLowerInvariant() + "-", cancellationToken: cancellationToken))
        {
            queued += await CountAsync(connection, queue.Name, cancellationToken);
            visible += await VisibleAsync(connection, queue.Name, cancellationToken);
        }

        return (queued, visible);
    }

    private static async Task<int> VisibleAsync(string connection, string queueName, CancellationToken cancellationToken)
    {
        var queue = new QueueClient(connection, queueName);
        return (await queue.ExistsAsync(cancellationToken)).Value ? (await queue.PeekMessagesAsync(32, cancellationToken)).Value.Length : 0;
    }

    private static async Task<int> CountAsync(string connection, string queueName, CancellationToken cancellationToken)
    {
        var queue = new QueueClient(connection, queueName);
        return (await queue.ExistsAsync(cancellationToken)).Value ? (await queue.GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount : 0;
    }
}
