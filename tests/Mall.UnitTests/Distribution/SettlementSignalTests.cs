using Mall.Application.Distribution;
using Mall.Application.Platform;
using Mall.Domain.Orders;
using Mall.Testing;

namespace Mall.UnitTests.Distribution;

public sealed class SettlementSignalTests
{
    /// <summary>
    /// A commission settles only while no refund of its order is open, so every change of a refund can
    /// unblock it (a rejected or failed request, a success) and must wake the settlement process; a
    /// refund event added later fails here until it does.
    /// </summary>
    [Fact]
    public void Every_refund_event_wakes_the_commission_settlement()
    {
        var subscriptions = RegisteredSubscriptions.Load();

        var refundEvents = EventCatalog.Types.Where(t => t.GetProperties().Any(p => p.PropertyType == typeof(RefundFacts))).OrderBy(t => t.Name).ToList();

        Assert.Contains(typeof(RefundRejected), refundEvents);
        Assert.All(refundEvents, type => Assert.Contains(subscriptions.For(type), s => s.Name == nameof(DistributionEvents)));
    }
}
