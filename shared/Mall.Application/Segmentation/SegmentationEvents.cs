using System.Globalization;
using Mall.Application.Coupons;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Customers;

namespace Mall.Application.Segmentation;

/// <summary>
/// Keeps each customer's buying activity (for the segment rules) as orders are paid, and runs a
/// segment's automatic action when a customer enters it: the configured coupon, granted once per day
/// of entering (so a re-run never issues twice).
/// </summary>
public sealed class SegmentationEvents(IDocumentCollection<Customer> customers, CouponService coupons, SegmentationOptions options) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType is "OrderPaid" or "CustomerSegmentChanged";

    public async Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        if (integrationEvent.Type == "OrderPaid")
        {
            var paidAt = DateTimeOffset.Parse(data["paidAt"], CultureInfo.InvariantCulture);
            var amount = long.Parse(data["amountFen"], CultureInfo.InvariantCulture);
            await customers.UpdateAsync(DocumentKey.Single(data["customerId"]), $"Customer {data["customerId"]}", customer =>
            {
                var activity = customer.Activity.OrderPaid(data["orderId"], amount, paidAt);
                return ReferenceEquals(activity, customer.Activity) ? customer : customer with { Activity = activity };
            }, cancellationToken);
            return;
        }

        if (options.CouponTemplates.TryGetValue(data["to"], out var templateId) && !string.IsNullOrEmpty(templateId))
        {
            await coupons.GrantAsync(data["customerId"], templateId, $"segment:{data["to"]}:{data["day"]}", cancellationToken);
        }
    }
}
