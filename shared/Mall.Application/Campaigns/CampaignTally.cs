using System.Globalization;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;
using Mall.Domain.Orders;

namespace Mall.Application.Campaigns;

/// <summary>Where the calendar's figures are counted: guarded counters, sharded so busy days do not contend on one entity.</summary>
public static class CampaignCounters
{
    public const int GmvShards = 8;
    public const int ParticipantShards = 4;

    public static string GmvPartition(int year, int month) => $"gmv|{year:D4}-{month:D2}";

    public static DocumentKey Gmv(DateOnly cstDay, string orderId) =>
        new(GmvPartition(cstDay.Year, cstDay.Month), $"{ChinaTime.DayKey(cstDay)}|{Shard(orderId, GmvShards)}");

    /// <summary>The CST day a GMV counter's row key counts.</summary>
    public static DateOnly DayOf(string gmvRowKey) => DateOnly.ParseExact(gmvRowKey[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string ParticipantsPartition(string campaignId) => $"participants|{campaignId}";

    public static DocumentKey Participants(string campaignId, string customerId) =>
        new(ParticipantsPartition(campaignId), Shard(customerId, ParticipantShards).ToString(CultureInfo.InvariantCulture));

    private static int Shard(string id, int shards) => Ids.Derive(string.Empty, id)[0] % shards;
}

/// <summary>
/// Counts, from each paid order (OrderPaid), the mall's GMV per CST day — the amount WeChat Pay
/// collected, deposits and balances included, refunds not deducted — and the participants of the
/// campaigns on the calendar. A participant is a customer with a paid order attributed to the
/// campaign: paid within its window (a festival's warm-up included) and, for a campaign of some
/// products, holding one of them or being an order of its presale; each customer counts once per
/// campaign. Both are guarded counters whose operation ids (the order, the customer) make a repeated
/// event count nothing twice.
/// </summary>
public sealed class CampaignTally(CounterStore counters, CampaignService campaigns, OrderStore orders) : IEventHandler<OrderPaid>
{
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var day = ChinaTime.DateOf(paid.PaidAt);
        var gmv = CampaignCounters.Gmv(day, paid.Order.OrderId);
        var operation = $"paid:{paid.Order.OrderId}";
        await counters.ApplyAsync(gmv, operation, paid.AmountFen, 0, long.MaxValue, cancellationToken);
        await counters.SettleAsync(gmv, operation, cancellationToken);

        var running = (await campaigns.EndingFromAsync(paid.PaidAt, cancellationToken))
            .Where(c => c.Status == CampaignStatus.Scheduled && c.AttributionStartsAt <= paid.PaidAt && paid.PaidAt < c.EndsAt)
            .ToList();
        if (running.Count == 0)
        {
            return;
        }

        var order = running.Any(c => c.ProductIds.Count > 0) ? await orders.FindAsync(paid.Order.OrderId, cancellationToken) : null;
        var productIds = order?.Lines.Select(l => l.ProductId).ToList() ?? [];
        foreach (var campaign in running.Where(c => c.Attributes(paid.PaidAt, productIds, paid.Order.Source?.CampaignId)))
        {
            var key = CampaignCounters.Participants(campaign.Id, paid.Order.CustomerId);
            var participant = $"customer:{paid.Order.CustomerId}";
            await counters.ApplyAsync(key, participant, 1, 0, long.MaxValue, cancellationToken);
            await counters.SettleAsync(key, participant, cancellationToken);
        }
    }

    /// <summary>GMV per CST day of a month.</summary>
    public async Task<IReadOnlyDictionary<DateOnly, long>> MonthGmvAsync(int year, int month, CancellationToken cancellationToken) =>
        (await counters.ValuesAsync(CampaignCounters.GmvPartition(year, month), cancellationToken))
            .GroupBy(c => CampaignCounters.DayOf(c.Key))
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Value));
}
