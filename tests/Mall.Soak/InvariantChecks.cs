using System.Text.Json;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Domain.FlashSale;
using Mall.Domain.GroupBuy;
using Mall.Domain.Orders;
using Mall.Domain.Presale;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;

namespace Mall.Soak;

/// <summary>One invariant: how many things it looked at, the figures worth printing, and every violation found.</summary>
public sealed record InvariantCheck(string Name, int Checked, IReadOnlyList<string> Figures, IReadOnlyList<string> Violations)
{
    public bool Holds => Violations.Count == 0;
}

/// <summary>
/// The soak's verdict, computed from the mall's own state after quiescence (and, for money, from
/// WeChat's side too: the sandbox's transactions and refunds are the bank statement).
/// </summary>
public static class InvariantChecks
{
    /// <summary>Refund and order states that move only when an operator or the customer acts.</summary>
    private static readonly RefundStatus[] WaitingForPeople = [RefundStatus.Requested, RefundStatus.Abnormal, RefundStatus.Failed];

    /// <param name="strandedMayWait">
    /// Whether events may still wait for work a killed host left: its dispatch messages come back when their
    /// 10-minute processing visibility ends and its deliveries are taken over when their 15-minute lease ends
    /// (as on Azure), which a short run does not wait for. Their documents then count as waiting and are
    /// left out of the checks that depend on those events.
    /// </param>
    public static IReadOnlyList<InvariantCheck> Run(MallState state, SoakCatalog catalog, WeChatSandbox sandbox, JsonElement reconciliation, JsonElement parked, bool strandedMayWait)
    {
        var held = strandedMayWait && state.Dispatch.Queued > state.VisibleDispatch ? new HeldEvents(state) : HeldEvents.None;

        // A killed host's orchestration messages likewise stay invisible for a while (the Durable Task control queues' visibility).
        var orchestrationsMayLag = strandedMayWait && state.Orchestration.Queued > state.Orchestration.Visible;
        return
        [
            Stock(state, catalog),
            FlashSales(state),
            Money(state, sandbox),
            States(state, held, orchestrationsMayLag),
            Commission(reconciliation, strandedMayWait && state.Dispatch.Queued > state.VisibleDispatch),
            EventsOnce(state, parked, held, strandedMayWait),
        ];
    }

    /// <summary>
    /// Per SKU: initial + adjustments = available + reserved + sold − returned + in flash sales, and no marker
    /// left behind. A flash sale's units are counted where its shards say they are (free in an open shard, or
    /// held by an order, paid or not): a flash order reserves no normal stock, and a refund of it restocks
    /// normal stock (counted in returned) while its unit stays held in its shard.
    /// </summary>
    private static InvariantCheck Stock(MallState state, SoakCatalog catalog)
    {
        var figures = new List<string> { "sku                 initial  adjust  available  reserved  sold  returned  flash  diff" };
        var violations = new List<string>();
        foreach (var sku in catalog.AllSkus)
        {
            var adjustments = state.Adjustments.Where(a => a.SkuId == sku.SkuId && a.Applied).Sum(a => a.Delta);
            long reserved = 0, sold = 0, returned = 0;
            foreach (var order in state.Orders.Select(o => o.Value))
            {
                var units = order.Lines.Where(l => l.SkuId == sku.SkuId).Sum(l => (long)l.Quantity);
                if (units == 0)
                {
                    continue;
                }

                // Units a refund put back count whichever order they were refunded on: refunding a presale's
                // balance order returns the unit its deposit order held.
                returned += order.Refunds.Where(r => r.Status == RefundStatus.Succeeded && r.StockReturned).SelectMany(r => r.Lines).Where(l => l.SkuId == sku.SkuId).Sum(l => (long)l.Quantity);
                if (!order.HoldsStock)
                {
                    continue;
                }

                if (order.Status is OrderStatus.Reserving or OrderStatus.PendingPayment)
                {
                    reserved += units;
                }
                else if (order.Status is OrderStatus.Paid or OrderStatus.Shipped or OrderStatus.Completed or OrderStatus.Refunded)
                {
                    sold += units;
                }

                if (state.ForfeitsReturned.Contains(order.Id))
                {
                    returned += units;
                }
            }

            if (!state.StockCounters.TryGetValue(sku.SkuId, out var counter))
            {
                violations.Add($"{sku.SkuId}: no stock counter");
                continue;
            }

            var available = counter.Value.Value;
            var flash = state.FlashSales.Where(f => f.Value.SkuId == sku.SkuId).Sum(f => (long)UnitsInShards(state, f.Value));

            // A cancellation cut short (its request timed out or its host was killed) leaves its order's take pending;
            // the order's expiry, still scheduled, gives it back (OrderService.HandleExpiryAsync). Those units are on their way back.
            var awaitingBackstop = counter.Value.Pending
                .Where(p => BackstopWillReturn(state, p.Key))
                .Sum(p => -p.Value);
            var diff = available + reserved + sold - returned + flash + awaitingBackstop - (sku.InitialStock + adjustments);
            figures.Add($"{sku.SkuId,-18} {sku.InitialStock,8} {adjustments,7} {available,10} {reserved,9} {sold,5} {returned,9} {flash,6} {diff,5}");
            if (diff != 0)
            {
                violations.Add($"{sku.SkuId}: initial {sku.InitialStock} + adjustments {adjustments} != available {available} + reserved {reserved} + sold {sold} - returned {returned} + in flash sales {flash} ({(diff > 0 ? $"{diff} unit(s) created" : $"{-diff} unit(s) lost")})");
            }

            foreach (var (operation, delta) in counter.Value.Pending)
            {
                var owner = operation.StartsWith("order:", StringComparison.Ordinal) ? state.Orders.FirstOrDefault(o => o.Value.Id == operation["order:".Length..])?.Value : null;
                if (owner is not { IsAwaitingPayment: true } && !BackstopWillReturn(state, operation))
                {
                    violations.Add($"{sku.SkuId}: operation {operation} ({delta:+#;-#}) still pending on the counter{(owner is null ? string.Empty : $", its order is {owner.Status}")}");
                }
            }
        }

        return new InvariantCheck("stock conservation per SKU", catalog.AllSkus.Count(), figures, violations);
    }

    /// <summary>A flash sale's units in its shards: free in the open ones, and held by orders (paid or not) in all.</summary>
    private static int UnitsInShards(MallState state, FlashSaleSession sale) =>
        Enumerable.Range(0, sale.Shards).Select(i => state.FlashShards.GetValueOrDefault((sale.Id, i))?.Value).OfType<FlashShard>().Sum(s => s.Remaining + s.Holders.Count);

    /// <summary>
    /// Per flash sale, from its shards, its takes, its orders and the SKU counter's flash operations (receipts
    /// and pending marks): the units in its shards (free + held) = moved in − unsold returned at close −
    /// released to normal stock after close; held ≤ quantity; no order holds two units, none ended unpaid
    /// holds one, every paid one holds one; no customer holds (or paid for) more than the limit; every
    /// closed shard returned exactly what it had left; every sale ended or cancelled has all its shards
    /// closed, and every sale past its end is closed.
    /// </summary>
    private static InvariantCheck FlashSales(MallState state)
    {
        var violations = new List<string>();
        var figures = new List<string> { "sale                   sku                qty lim status     moved unsold rel-after free held paid unpaid-ended diff" };
        var orders = state.Orders.Select(o => o.Value).ToDictionary(o => o.Id, StringComparer.Ordinal);
        var flashOrders = orders.Values.Where(o => o.IsFlashSale).ToLookup(o => o.Source!.CampaignId, StringComparer.Ordinal);
        var takes = state.FlashTakes.ToLookup(t => t.SaleId, StringComparer.Ordinal);
        var endedUnpaid = new[] { OrderStatus.Cancelled, OrderStatus.Closed, OrderStatus.Withdrawn };
        var (earlyEnds, natural, open, unitsSold, unitsReleased) = (0, 0, 0, 0, 0);
        foreach (var sale in state.FlashSales.Select(f => f.Value).OrderBy(f => f.StartsAt).ThenBy(f => f.Id, StringComparer.Ordinal))
        {
            var name = $"flash sale {sale.Id} ({sale.SkuId}, {sale.Quantity} units, {sale.StartsAt:HH:mm:ss}–{sale.EndsAt:HH:mm:ss})";
            var shards = Enumerable.Range(0, sale.Shards).Select(i => (Number: i, Shard: state.FlashShards.GetValueOrDefault((sale.Id, i))?.Value)).ToList();
            var ops = state.FlashOperations.Where(o => o.SkuId == sale.SkuId && (o.OperationId == $"flash:{sale.Id}" || o.OperationId.StartsWith($"flash-unsold:{sale.Id}:", StringComparison.Ordinal) || o.OperationId.StartsWith($"flash-release:{sale.Id}:", StringComparison.Ordinal))).ToList();
            var moved = -ops.Where(o => o.OperationId == $"flash:{sale.Id}").Sum(o => o.Delta);
            var unsold = ops.Where(o => o.OperationId.StartsWith("flash-unsold:", StringComparison.Ordinal)).Sum(o => o.Delta);
            var releasedAfterClose = ops.Where(o => o.OperationId.StartsWith("flash-release:", StringComparison.Ordinal)).Sum(o => o.Delta);
            var free = shards.Sum(s => s.Shard?.Remaining ?? 0);
            var holders = shards.Where(s => s.Shard is not null).SelectMany(s => s.Shard!.Holders.Select(orderId => (s.Number, OrderId: orderId))).ToList();
            var diff = free + holders.Count - (moved - unsold - releasedAfterClose);
            var saleOrders = flashOrders[sale.Id].ToList();
            var paid = saleOrders.Where(o => o.Payment is not null).ToList();
            var ended = saleOrders.Where(o => endedUnpaid.Contains(o.Status)).ToList();
            unitsSold += paid.Count;
            unitsReleased += releasedAfterClose > 0 ? (int)releasedAfterClose : 0;
            figures.Add($"{sale.Id} {sale.SkuId,-18} {sale.Quantity,3} {sale.PerCustomerLimit,3} {(sale.StoppedAt is not null && sale.Status == FlashSaleStatus.Ended ? "ended early" : sale.Status.ToString().ToLowerInvariant()),-10} {moved,5} {unsold,6} {releasedAfterClose,9} {free,4} {holders.Count,4} {paid.Count,4} {ended.Count,12} {diff,4}");
            if (sale.Status == FlashSaleStatus.Ended && sale.StoppedAt is not null)
            {
                earlyEnds++;
            }
            else if (sale.Status == FlashSaleStatus.Ended)
            {
                natural++;
            }
            else
            {
                open++;
            }

            if (moved != 0 && moved != sale.Quantity)
            {
                violations.Add($"{name}: {moved} units moved out of normal stock, not its quantity");
            }

            if (moved == sale.Quantity && (shards.Any(s => s.Shard is null) || shards.Sum(s => s.Shard?.Capacity ?? 0) != sale.Quantity))
            {
                violations.Add($"{name}: moved in, but its shards ({shards.Count(s => s.Shard is not null)} of {sale.Shards}) hold a capacity of {shards.Sum(s => s.Shard?.Capacity ?? 0)}");
            }

            if (moved == 0 && sale.Status is FlashSaleStatus.Scheduled)
            {
                violations.Add($"{name}: {sale.Status} but nothing was moved in from normal stock");
            }

            if (diff != 0)
            {
                violations.Add($"{name}: its shards hold {free} free + {holders.Count} held, but {moved} moved in − {unsold} returned unsold − {releasedAfterClose} released after close = {moved - unsold - releasedAfterClose} ({(diff > 0 ? $"{diff} unit(s) created" : $"{-diff} unit(s) lost")})");
            }

            if (holders.Count > sale.Quantity)
            {
                violations.Add($"{name}: {holders.Count} units held, more than its quantity");
            }

            foreach (var twice in holders.GroupBy(h => h.OrderId, StringComparer.Ordinal).Where(g => g.Count() > 1))
            {
                violations.Add($"{name}: order {twice.Key} holds {twice.Count()} units (shards {string.Join(", ", twice.Select(h => h.Number))})");
            }

            foreach (var (number, orderId) in holders)
            {
                if (!orders.TryGetValue(orderId, out var order) || !order.IsFlashSale || order.Source!.CampaignId != sale.Id)
                {
                    violations.Add($"{name}: shard {number} is held by {orderId}, {(order is null ? "which does not exist" : "not an order of this sale")}");
                }
                else if (endedUnpaid.Contains(order.Status))
                {
                    violations.Add($"{name}: order {orderId} is {order.Status} since {(order.History.Count > 0 ? order.History[^1].At : (DateTimeOffset?)null):HH:mm:ss} but still holds its unit in shard {number}{(shards[number].Shard!.Closed ? " (closed: the unit never went back to normal stock)" : " (the unit never went back on sale)")}");
                }
                else if (!takes[sale.Id].Any(t => t.Take.OrderId == orderId && !t.Take.Released && t.CustomerId == order.CustomerId))
                {
                    violations.Add($"{name}: order {orderId} ({order.Status}) holds a unit in shard {number} but no take counts it against its customer's limit");
                }
            }

            foreach (var order in paid.Where(o => !holders.Any(h => h.OrderId == o.Id)))
            {
                violations.Add($"{name}: order {order.Id} ({order.Status}) was paid but holds no unit of the sale (sold beyond its shards)");
            }

            foreach (var order in ended.Where(o => takes[sale.Id].Any(t => t.Take.OrderId == o.Id && !t.Take.Released)))
            {
                violations.Add($"{name}: order {order.Id} is {order.Status} but its take still counts against {order.CustomerId}'s limit");
            }

            var holdersByCustomer = holders.Where(h => orders.ContainsKey(h.OrderId)).GroupBy(h => orders[h.OrderId].CustomerId, StringComparer.Ordinal);
            foreach (var customer in holdersByCustomer.Where(g => g.Count() > sale.PerCustomerLimit))
            {
                violations.Add($"{name}: customer {customer.Key} holds {customer.Count()} units, over the limit of {sale.PerCustomerLimit} ({string.Join(", ", customer.Select(h => h.OrderId))})");
            }

            foreach (var customer in paid.GroupBy(o => o.CustomerId, StringComparer.Ordinal).Where(g => g.Count() > sale.PerCustomerLimit))
            {
                violations.Add($"{name}: customer {customer.Key} paid for {customer.Count()} units, over the limit of {sale.PerCustomerLimit} ({string.Join(", ", customer.Select(o => o.Id))})");
            }

            foreach (var (number, shard) in shards.Where(s => s.Shard is not null).Select(s => (s.Number, s.Shard!)))
            {
                var returned = ops.Where(o => o.OperationId == $"flash-unsold:{sale.Id}:{number}").Sum(o => o.Delta);
                if (shard.Closed ? returned != shard.UnsoldAtClose : returned != 0)
                {
                    violations.Add($"{name}: shard {number} ({(shard.Closed ? $"closed with {shard.UnsoldAtClose} left" : "open")}) returned {returned} unit(s) to normal stock");
                }
            }

            foreach (var release in ops.Where(o => o.OperationId.StartsWith("flash-release:", StringComparison.Ordinal)))
            {
                // flash-release:{sale}:{shard}:{order}
                var parts = release.OperationId.Split(':');
                var (number, orderId) = (int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), parts[3]);
                if (release.Delta != 1 || shards[number].Shard is not { Closed: true } closedShard || closedShard.Holds(orderId))
                {
                    violations.Add($"{name}: {release.OperationId} ({release.Delta:+#;-#}) returned a unit of shard {number}, which is {(shards[number].Shard is not { Closed: true } ? "not closed" : "still held by the order")}");
                }
            }

            if (sale.Status is FlashSaleStatus.Ended or FlashSaleStatus.Cancelled && moved > 0)
            {
                if (shards.Any(s => s.Shard is { Closed: false }))
                {
                    violations.Add($"{name}: {sale.Status} but shard(s) {string.Join(", ", shards.Where(s => s.Shard is { Closed: false }).Select(s => s.Number))} still open");
                }

                var unsoldAtClose = shards.Sum(s => s.Shard?.UnsoldAtClose ?? 0);
                if (sale.UnsoldReturned != unsoldAtClose)
                {
                    violations.Add($"{name}: records {sale.UnsoldReturned} unsold units returned, its shards closed with {unsoldAtClose} left");
                }
            }

            if (sale.Status is FlashSaleStatus.Scheduled or FlashSaleStatus.Preparing && sale.EndsAt <= state.ReadAt)
            {
                var due = state.DueWork.FirstOrDefault(w => w.Kind == Mall.Application.FlashSale.FlashSaleWork.Close && w.Subject == sale.Id);
                violations.Add($"{name}: ended {(state.ReadAt - sale.EndsAt).TotalSeconds:0} s ago but never closed: {shards.Count(s => s.Shard is { Closed: false })} shard(s) still open, {free} unsold unit(s) not back in normal stock; its close ({Mall.Application.FlashSale.FlashSaleWork.Close}) {(due is null ? "is not scheduled" : $"was due {due.DueAt:HH:mm:ss}, {due.Attempts} attempts{(due.LastError is null ? string.Empty : $", {due.LastError}")}")}");
            }
        }

        var allFlash = flashOrders.SelectMany(g => g).ToList();
        figures.Insert(0, $"{state.FlashSales.Count} sales: {earlyEnds} ended early, {natural} closed at their end, {open} not closed; {allFlash.Count} flash orders: {unitsSold} paid ({allFlash.Count(o => o.Status == OrderStatus.Refunded)} refunded), {allFlash.Count(o => endedUnpaid.Contains(o.Status))} ended unpaid ({unitsReleased} of their units back to normal stock after their shard closed), {allFlash.Count(o => o.IsAwaitingPayment)} awaiting payment; {state.FlashTakes.Count} takes ({state.FlashTakes.Count(t => t.Take.Released)} released)");
        return new InvariantCheck("flash sales (units in shards, holders, limits, releases, closes)", state.FlashSales.Count, figures, violations);
    }

    /// <summary>Per order: paid = refunded + kept, refunded ≤ paid, and the mall agrees with WeChat on both.</summary>
    private static InvariantCheck Money(MallState state, WeChatSandbox sandbox)
    {
        var violations = new List<string>();
        var transactions = sandbox.Transactions.ToDictionary(t => t.OutTradeNo, StringComparer.Ordinal);
        var weChatRefunds = sandbox.Refunds.Where(r => r.Resource.Status == RefundStatuses.Success).GroupBy(r => r.Resource.OutTradeNo!).ToDictionary(g => g.Key, g => g.Sum(r => r.Resource.Amount!.Refund), StringComparer.Ordinal);
        long paidTotal = 0, refundedTotal = 0;
        foreach (var order in state.Orders.Select(o => o.Value))
        {
            var paid = (order.Payment?.AmountFen ?? 0) + (order.LatePayment?.AmountFen ?? 0);
            var refunded = order.Refunds.Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.AmountFen);
            var kept = paid - refunded;
            paidTotal += paid;
            refundedTotal += refunded;
            if (refunded > paid)
            {
                violations.Add($"{order.Id}: refunded {refunded} fen of {paid} paid");
            }

            if (order.Status == OrderStatus.Refunded && order.RefundedFen != order.Payment?.AmountFen)
            {
                violations.Add($"{order.Id}: refunded in status but {order.RefundedFen} of {order.Payment?.AmountFen} fen refunded");
            }

            var late = order.Refunds.FirstOrDefault(r => r.Automatic && order.Payment is null && order.LatePayment is not null);
            if (order.Status is OrderStatus.Cancelled or OrderStatus.Closed && kept != 0 && late?.Status is not (RefundStatus.Abnormal or RefundStatus.Failed))
            {
                violations.Add($"{order.Id}: {order.Status} but keeps {kept} fen (late payment refund {late?.Status.ToString() ?? "missing"})");
            }

            var weChatPaid = transactions.TryGetValue(order.Id, out var transaction) && transaction.Resource.TradeState is TradeStates.Success or TradeStates.Refund ? transaction.Resource.Amount!.Total : 0;
            var awaitingQuery = order.IsAwaitingPayment && state.DueWork.Any(w => w.Subject == order.Id && w.Kind == PaymentWork.Check);
            if (weChatPaid != paid && !awaitingQuery)
            {
                violations.Add($"{order.Id} ({order.Status}): WeChat took {weChatPaid} fen, the mall recorded {paid}");
            }

            var weChatRefunded = weChatRefunds.GetValueOrDefault(order.Id);
            var refundAtWeChat = order.Refunds.Any(r => r.Status == RefundStatus.Processing);
            if (weChatRefunded != refunded && !refundAtWeChat)
            {
                violations.Add($"{order.Id} ({order.Status}): WeChat refunded {weChatRefunded} fen, the mall recorded {refunded}");
            }
        }

        return new InvariantCheck(
            "money per order (paid = refunded + kept; mall = WeChat)",
            state.Orders.Count,
            [$"paid {Yuan(paidTotal)}, refunded {Yuan(refundedTotal)}, kept {Yuan(paidTotal - refundedTotal)} over {state.Orders.Count} orders"],
            violations);
    }

    /// <summary>Every order, group and presale is in a final state or waiting for something that will move it.</summary>
    private static InvariantCheck States(MallState state, HeldEvents held, bool orchestrationsMayLag)
    {
        var violations = new List<string>();
        var waiting = new Dictionary<string, int>(StringComparer.Ordinal);
        bool Scheduled(string subject, string kind) => state.DueWork.Any(w => w.Subject == subject && w.Kind == kind && w.DueAt > state.ReadAt);
        var groups = state.Groups.ToDictionary(g => g.Value.Id, g => g.Value, StringComparer.Ordinal);
        var campaigns = state.PresaleCampaigns.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var reservationsByDeposit = state.Reservations.ToDictionary(r => r.Value.DepositOrderId, r => r.Value, StringComparer.Ordinal);
        foreach (var order in state.Orders.Select(o => o.Value).Where(o => !held.Order(o.Id)))
        {
            var stuck = order.Status switch
            {
                // A placement interrupted (and not retried) stays reserving until its expiry gives back what it took.
                OrderStatus.Reserving or OrderStatus.PendingPayment when order.ExpiresAt <= state.ReadAt => $"unpaid past its expiry {order.ExpiresAt:HH:mm:ss}",
                OrderStatus.Reserving or OrderStatus.PendingPayment when !Scheduled(order.Id, OrderWork.Expiry) => "unpaid with no expiry scheduled",
                OrderStatus.Paid when order.ShippingHold is not null && !orchestrationsMayLag && (order.Source is null || !groups.TryGetValue(order.Source.ReferenceId, out var group) || group.Status != GroupStatus.Forming || group.Deadline <= state.ReadAt) =>
                    $"held ({order.ShippingHold}) though its group is {(order.Source is not null && groups.TryGetValue(order.Source.ReferenceId, out var g) ? $"{g.Status}, deadline {g.Deadline:HH:mm:ss}" : "missing")}",
                OrderStatus.Paid when order.IsDeposit && !orchestrationsMayLag && reservationsByDeposit.TryGetValue(order.Id, out var reservation) && campaigns.TryGetValue(reservation.CampaignId, out var campaign) && campaign.BalanceEndsAt <= state.ReadAt =>
                    $"deposit still paid after its presale ended ({reservation.Status})",
                OrderStatus.Shipped when !Scheduled(order.Id, OrderWork.AutoConfirm) => "shipped with no auto-confirm due",
                OrderStatus.Completed when !order.AfterSaleClosed && !Scheduled(order.Id, OrderWork.AfterSaleClose) => "after-sale never closes",
                _ => null,
            };
            foreach (var refund in order.Refunds)
            {
                stuck ??= refund switch
                {
                    { Status: RefundStatus.Approved } when !Scheduled(order.Id, RefundWork.Submit) => $"refund {refund.Id} approved, never submitted",
                    { Status: RefundStatus.Processing } when !Scheduled(order.Id, RefundWork.Check) => $"refund {refund.Id} at WeChat, never checked",
                    { Status: RefundStatus.Succeeded, Restock: true, StockReturned: false } when !Scheduled(order.Id, RefundWork.Restock) => $"refund {refund.Id} succeeded, units never restocked",
                    _ => null,
                };
                if (WaitingForPeople.Contains(refund.Status) && refund.IsOpen)
                {
                    waiting[$"refund {refund.Status.ToString().ToLowerInvariant()} (operator)"] = waiting.GetValueOrDefault($"refund {refund.Status.ToString().ToLowerInvariant()} (operator)") + 1;
                }
            }

            if (stuck is not null)
            {
                violations.Add($"order {order.Id} ({order.Status}): {stuck}");
            }
            else if (order.Status is OrderStatus.Reserving or OrderStatus.PendingPayment or OrderStatus.Paid or OrderStatus.Shipped || (order.Status == OrderStatus.Completed && !order.AfterSaleClosed))
            {
                var reason = order.Status switch
                {
                    OrderStatus.Reserving => "placement interrupted, expiry scheduled",
                    OrderStatus.PendingPayment => "unpaid, expiry scheduled",
                    OrderStatus.Paid when order.ShippingHold is not null => "paid, group forming",
                    OrderStatus.Paid when order.IsDeposit => "deposit, presale open",
                    OrderStatus.Paid => "paid, to ship (operator)",
                    OrderStatus.Shipped => "shipped, auto-confirm scheduled",
                    _ => "completed, after-sale scheduled",
                };
                waiting[reason] = waiting.GetValueOrDefault(reason) + 1;
            }
        }

        foreach (var group in state.Groups.Select(g => g.Value).Where(g => g.Status == GroupStatus.Forming && g.Deadline <= state.ReadAt && !held.Group(g) && !orchestrationsMayLag))
        {
            violations.Add($"group {group.Id}: still forming {(state.ReadAt - group.Deadline).TotalSeconds:0} s after its deadline");
        }

        foreach (var reservation in state.Reservations.Select(r => r.Value).Where(r => !held.Presale(r)))
        {
            if (reservation.Status == PresaleStatus.Forfeited && !state.ForfeitsReturned.Contains(reservation.DepositOrderId) && !orchestrationsMayLag)
            {
                violations.Add($"presale {reservation.Id}: deposit forfeited, but its unit never went back on sale");
            }

            if (reservation.Status is PresaleStatus.DepositPending or PresaleStatus.DepositPaid or PresaleStatus.BalanceOrdered && !orchestrationsMayLag
                && campaigns.TryGetValue(reservation.CampaignId, out var campaign) && campaign.BalanceEndsAt <= state.ReadAt)
            {
                violations.Add($"presale {reservation.Id}: {reservation.Status} {(state.ReadAt - campaign.BalanceEndsAt).TotalSeconds:0} s after its balance window closed");
            }
        }

        if (orchestrationsMayLag)
        {
            var late = state.Groups.Count(g => g.Value.Status == GroupStatus.Forming && g.Value.Deadline <= state.ReadAt)
                + state.Reservations.Count(r => r.Value.Status == PresaleStatus.Forfeited && !state.ForfeitsReturned.Contains(r.Value.DepositOrderId))
                + state.Reservations.Count(r => r.Value.Status is PresaleStatus.DepositPending or PresaleStatus.DepositPaid or PresaleStatus.BalanceOrdered && campaigns.TryGetValue(r.Value.CampaignId, out var c) && c.BalanceEndsAt <= state.ReadAt);
            waiting["group or presale past its deadline (or forfeit not yet restocked), its orchestration's messages held by a killed host"] = late;
        }

        if (held.Any)
        {
            waiting["outbox waiting for a killed host's messages or leases (back within 15 min)"] = state.PendingOutboxes.Count;
        }
        else
        {
            violations.AddRange(state.PendingOutboxes.Select(o => $"{o}: outbox still holds events"));
        }

        violations.AddRange(state.DueNowThatMatters.Select(w => $"due work {w.Kind} for {w.Subject} overdue since {w.DueAt:HH:mm:ss} ({w.Attempts} attempts; {w.LastError})"));
        var figures = new List<string>
        {
            "final: " + string.Join(", ", state.Orders.GroupBy(o => o.Value.Status).OrderBy(g => g.Key).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}")),
            "legitimately waiting: " + (waiting.Count == 0 ? "none" : string.Join(", ", waiting.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key} {w.Value}"))),
            $"groups: {string.Join(", ", state.Groups.GroupBy(g => g.Value.Status).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}"))}; presales: {string.Join(", ", state.Reservations.GroupBy(r => r.Value.Status).Select(g => $"{g.Key.ToString().ToLowerInvariant()} {g.Count()}"))}",
        };
        if (!held.Any)
        {
            figures.AddRange(state.UndeliveredEvents.Select(e => $"undelivered: {e}"));
        }

        return new InvariantCheck("no order, refund, group or presale stuck", state.Orders.Count + state.Groups.Count + state.Reservations.Count, figures, violations);
    }

    /// <summary>Whether a pending stock take belongs to an unpaid order that ended (cancelled or closed) whose expiry is still to run.</summary>
    private static bool BackstopWillReturn(MallState state, string operation)
    {
        if (!operation.StartsWith("order:", StringComparison.Ordinal))
        {
            return false;
        }

        var orderId = operation["order:".Length..];
        var order = state.Orders.FirstOrDefault(o => o.Value.Id == orderId)?.Value;
        return order is { Payment: null, Status: OrderStatus.Cancelled or OrderStatus.Closed }
            && state.DueWork.Any(w => w.Kind == Mall.Application.Orders.OrderWork.Expiry && w.Subject == orderId && w.DueAt > state.ReadAt);
    }

    /// <param name="ledgerMayLag">
    /// Whether a killed host's dispatch messages are still invisible: the promoter ledger is written by the
    /// handler of each commission movement, so until those messages come back (10 minutes, as on Azure) the
    /// ledger may lag its orders' commissions. The mismatches are then reported as waiting, not as violations;
    /// the full soak waits them out and checks strictly.
    /// </param>
    private static InvariantCheck Commission(JsonElement reconciliation, bool ledgerMayLag)
    {
        var balanced = reconciliation.ValueKind == JsonValueKind.Object && reconciliation.TryGetProperty("balanced", out var value) && value.GetBoolean();
        var mismatches = reconciliation.ValueKind == JsonValueKind.Object && reconciliation.TryGetProperty("mismatches", out var list) ? list.EnumerateArray().Select(m => m.GetString() ?? m.ToString()).ToList() : [];
        var found = balanced ? [] : mismatches.Count > 0 ? mismatches : [$"not balanced: {reconciliation}"];
        var figures = new List<string> { $"manage/distribution/reconciliation: {reconciliation}" };
        if (ledgerMayLag)
        {
            figures.AddRange(found.Select(m => $"waiting for a killed host's dispatch messages: {m}"));
        }

        return new InvariantCheck(
            "commission ledger reconciles",
            reconciliation.ValueKind == JsonValueKind.Object && reconciliation.TryGetProperty("orders", out var orders) ? orders.GetInt32() : 0,
            figures,
            ledgerMayLag ? [] : found);
    }

    /// <summary>Each event handled once: the customer's counts and points equal what its orders say; nothing parked or left queued.</summary>
    private static InvariantCheck EventsOnce(MallState state, JsonElement parked, HeldEvents held, bool strandedMayWait)
    {
        var violations = new List<string>();
        var ordersByCustomer = state.Orders.Select(o => o.Value).ToLookup(o => o.CustomerId, StringComparer.Ordinal);
        var ledger = state.PointsLedger.ToLookup(p => p.CustomerId, StringComparer.Ordinal);
        var orderPoints = state.OrderPoints.ToDictionary(p => p.Value.OrderId, p => p.Value, StringComparer.Ordinal);
        var customers = state.Customers.Select(c => c.Value).Where(c => ordersByCustomer.Contains(c.Id) && !held.Customer(c.Id, ordersByCustomer[c.Id])).ToList();
        foreach (var customer in customers)
        {
            var paidOrders = ordersByCustomer[customer.Id].Where(o => o.Payment is not null).ToList();
            var expectedCount = paidOrders.Count(o => o.Status != OrderStatus.Refunded);
            var expectedSpend = paidOrders.Sum(o => o.Payment!.AmountFen - o.RefundedFen);
            if (customer.Activity.PaidOrders != expectedCount || customer.Activity.LifetimePaidFen != expectedSpend)
            {
                violations.Add($"customer {customer.Id}: {customer.Activity.PaidOrders} paid orders / {customer.Activity.LifetimePaidFen} fen spent, its orders say {expectedCount} / {expectedSpend}");
            }

            var ledgerSum = ledger[customer.Id].Sum(p => p.Points);
            var earned = paidOrders.Sum(o => orderPoints.TryGetValue(o.Id, out var p) ? p.EarnedPoints - p.ReversedPoints : 0);
            if (customer.PointsBalance != ledgerSum || customer.PointsBalance != earned)
            {
                violations.Add($"customer {customer.Id}: points balance {customer.PointsBalance}, ledger sums to {ledgerSum}, its orders earned (net) {earned}");
            }

            foreach (var order in paidOrders)
            {
                if (!orderPoints.TryGetValue(order.Id, out var points))
                {
                    violations.Add($"order {order.Id}: paid, but its points were never counted");
                }
                else if (points.PaidFen != order.Payment!.AmountFen || points.RefundedFen != Math.Min(order.RefundedFen, points.PaidFen))
                {
                    violations.Add($"order {order.Id}: points counted on {points.PaidFen} paid / {points.RefundedFen} refunded, the order says {order.Payment.AmountFen} / {order.RefundedFen}");
                }
            }
        }

        var parkedItems = parked.ValueKind == JsonValueKind.Object && parked.TryGetProperty("items", out var items) ? items.EnumerateArray().ToList() : [];
        violations.AddRange(parkedItems.Select(p => $"parked event: {p}"));
        if (parked.ValueKind != JsonValueKind.Object)
        {
            violations.Add($"manage/events/parked answered {parked}");
        }

        if ((strandedMayWait ? state.VisibleDispatch : state.DispatchThatMayDeliver) + state.Dispatch.Poisoned > 0)
        {
            violations.Add($"dispatch queue not drained: {state.Dispatch.Queued} queued ({state.VisibleDispatch} visible), {state.Dispatch.Poisoned} poisoned");
        }

        return new InvariantCheck(
            "each event handled once (customer counts, points ledger, nothing parked)",
            customers.Count,
            [$"{customers.Count} customers, {state.PointsLedger.Count} points ledger lines, {parkedItems.Count} parked events{(held.Any ? $"; {held.Count} outboxes still to be delivered left out" : string.Empty)}"],
            violations);
    }

    private static string Yuan(long fen) => $"¥{fen / 100m:0.00}";

    /// <summary>The documents whose events are still in their outboxes, waiting for what a killed host left (messages, leases).</summary>
    private sealed class HeldEvents
    {
        public static readonly HeldEvents None = new();

        private readonly IReadOnlySet<string> outboxes;

        public HeldEvents(MallState state) => outboxes = state.PendingOutboxes;

        private HeldEvents() => outboxes = new HashSet<string>();

        public bool Any => outboxes.Count > 0;

        public int Count => outboxes.Count;

        public bool Order(string orderId) => outboxes.Contains($"order {orderId}") || outboxes.Contains($"order points {orderId}");

        public bool Customer(string customerId, IEnumerable<Order> orders) => outboxes.Contains($"customer {customerId}") || orders.Any(o => Order(o.Id));

        public bool Group(GroupBuyGroup group) => outboxes.Contains($"group {group.Id}") || group.Seats.Any(s => Order(s.OrderId));

        public bool Presale(PresaleReservation reservation) =>
            outboxes.Contains($"presale {reservation.Id}") || Order(reservation.DepositOrderId) || (reservation.BalanceOrderId is { } balance && Order(balance));
    }
}
