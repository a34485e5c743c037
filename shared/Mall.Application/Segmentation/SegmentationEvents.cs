using Mall.Application.Coupons;
using Mall.Application.Platform;
using Mall.Domain.Customers;

namespace Mall.Application.Segmentation;

/// <summary>
/// A segment's automatic action when a customer enters it: the configured coupon (gift pack,
/// threshold coupon, wake-up…), granted once per day of entering, so a re-run never issues twice.
/// </summary>
public sealed class SegmentationEvents(CouponService coupons, SegmentationOptions options) : IEventHandler<CustomerSegmentChanged>
{
    public async Task HandleAsync(CustomerSegmentChanged changed, EventContext context, CancellationToken cancellationToken)
    {
        if (options.CouponTemplates.TryGetValue(changed.To.ToString(), out var templateId) && !string.IsNullOrEmpty(templateId))
        {
            await coupons.GrantAsync(changed.CustomerId, templateId, $"segment:{changed.To}:{changed.Day}", cancellationToken);
        }
    }
}
