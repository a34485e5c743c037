using Mall.Application.Coupons;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Segmentation;

/// <summary>
/// A segment's automatic action when a customer enters it: the configured coupon (gift pack,
/// threshold coupon, wake-up…), granted once per day of entering, so a re-run never issues twice.
/// </summary>
public sealed class SegmentationEvents(CouponService coupons, SegmentationOptions options) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType == "CustomerSegmentChanged";

    public async Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        if (options.CouponTemplates.TryGetValue(data["to"], out var templateId) && !string.IsNullOrEmpty(templateId))
        {
            await coupons.GrantAsync(data["customerId"], templateId, $"segment:{data["to"]}:{data["day"]}", cancellationToken);
        }
    }
}
