using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;

namespace Mall.Application.Platform;

/// <summary>
/// The mall's one trace source and meter (both named <see cref="Name"/>) and the attributes its spans carry.
/// The attributes go on the span that is current (the function invocation's, a storage or WeChat span), so
/// operators find every span of one order, customer or orchestration by one value.
/// </summary>
public static class MallTelemetry
{
    public const string Name = "Mall";

    public const string OrderId = "mall.order_id";

    /// <summary>A <see cref="CustomerPseudonyms"/> value, never the customer id or openid (personal data).</summary>
    public const string Customer = "mall.customer";

    public const string OrchestrationId = "mall.orchestration_id";

    /// <summary>db.system.name of the storage spans (Azure Table Storage has no name in the conventions yet).</summary>
    public const string TableStorageSystem = "azure.tables";

    public static readonly ActivitySource Source = new(Name);

    public static void TagOrder(string orderId) => Activity.Current?.SetTag(OrderId, orderId);

    public static void TagOrchestration(string instanceId) => Activity.Current?.SetTag(OrchestrationId, instanceId);
}

/// <summary>
/// Customers on telemetry as a keyed hash (HMAC-SHA256, truncated to 96 bits): stable, so one customer's
/// requests group together, and not reversible without the key, which telemetry readers do not hold (PIPL:
/// telemetry leaves the personal-data stores, so it carries no identifier of a person).
/// </summary>
public sealed class CustomerPseudonyms(byte[] key)
{
    public string Of(string customerId) => Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(customerId)).AsSpan(0, 12));

    public void Tag(string customerId) => Activity.Current?.SetTag(MallTelemetry.Customer, Of(customerId));
}

/// <summary>
/// What operators watch, recorded where the business fact happens. The names are a contract: alert rules
/// (infra-bicep) query them in Application Insights customMetrics.
/// </summary>
public sealed class MallMetrics
{
    private readonly Counter<long> ordersPlaced;
    private readonly Counter<long> gmvFen;
    private readonly Counter<long> paymentsSucceeded;
    private readonly Counter<long> paymentsFailed;
    private readonly Histogram<double> notifyLatency;
    private readonly Counter<long> flashSaleRefusals;
    private readonly Counter<long> eventsPoisoned;
    private readonly Counter<long> refundsNotSucceeded;

    public MallMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MallTelemetry.Name);
        ordersPlaced = meter.CreateCounter<long>("mall.orders.placed", "{order}", "Orders placed, by source (regular, flashSale, groupBuy, …).");
        gmvFen = meter.CreateCounter<long>("mall.orders.gmv_fen", "fen", "Amount paid for orders that became paid.");
        paymentsSucceeded = meter.CreateCounter<long>("mall.payments.succeeded", "{payment}", "Payments WeChat reported successful, recorded once each.");
        paymentsFailed = meter.CreateCounter<long>("mall.payments.failed", "{payment}", "Payments that failed, by reason (prepay refused, PAYERROR).");
        notifyLatency = meter.CreateHistogram<double>("mall.payments.notify_latency", "ms", "From WeChat's success_time to the mall receiving the payment notification.");
        flashSaleRefusals = meter.CreateCounter<long>("mall.flashsale.refusals", "{refusal}", "Flash-sale reservations refused, by reason (the error code).");
        eventsPoisoned = meter.CreateCounter<long>("mall.events.poisoned", "{event}", "Event deliveries parked after their last attempt, by event type and subscriber.");
        refundsNotSucceeded = meter.CreateCounter<long>("mall.refunds.not_succeeded", "{refund}", "Refunds WeChat answered CLOSED or ABNORMAL, or that were given up on, by reason.");
    }

    public void OrderPlaced(string source) => ordersPlaced.Add(1, new KeyValuePair<string, object?>("source", source));

    /// <param name="paidFen">What the order was paid; null for a payment that came after the order closed (refunded, so no GMV).</param>
    public void PaymentSucceeded(long? paidFen)
    {
        paymentsSucceeded.Add(1);
        if (paidFen is { } fen)
        {
            gmvFen.Add(fen);
        }
    }

    public void PaymentFailed(string reason) => paymentsFailed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void PaymentNotified(TimeSpan latency) => notifyLatency.Record(Math.Max(0, latency.TotalMilliseconds));

    public void FlashSaleRefused(string reason) => flashSaleRefusals.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void EventPoisoned(string eventType, string subscriber) =>
        eventsPoisoned.Add(1, new KeyValuePair<string, object?>("event_type", eventType), new KeyValuePair<string, object?>("subscriber", subscriber));

    public void RefundNotSucceeded(string reason) => refundsNotSucceeded.Add(1, new KeyValuePair<string, object?>("reason", reason));
}
