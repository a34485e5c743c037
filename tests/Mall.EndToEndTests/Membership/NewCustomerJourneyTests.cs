using System.Net;
using Mall.Application.Segmentation;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.EndToEndTests.Membership;

/// <summary>
/// A new customer through the running mall: the segmentation timer's gift pack, a first order with it,
/// FirstOrder and Bronze; then a limited-time price paid partly with points, and message consent.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class NewCustomerJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_new_customer_gets_the_new_user_pack_orders_with_it_and_becomes_first_order_and_bronze()
    {
        using var admin = await mall.AdminAsync();
        var pack = await admin.PostAsync("manage/coupon-templates", new
        {
            name = "新人礼包 5元",
            kind = "fixedAmount",
            amountFen = 500,
            validDaysAfterClaim = 7,
            perCustomerLimit = 1,
            totalQuota = 10_000,
            claimable = false,
        });
        Assert.Equal(HttpStatusCode.Created, pack.Status);
        // The Potential segment's automatic action (a setting in production).
        mall.Host.Services.GetRequiredService<SegmentationOptions>().CouponTemplates["Potential"] = pack.Body.GetProperty("id").GetString()!;
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 50_500, stock: 5);
        using var customer = await mall.NewCustomerAsync();

        var requestedAt = mall.Environment.Time.GetUtcNow();
        await mall.RunThroughAdminApiAsync("Segmentation_Daily");
        await LocalMall.WaitForCompletedRunAsync(admin, "manage/segments?days=7", requestedAt);

        // The pack is the Potential segment's action; wait for it rather than assume when it is granted.
        var coupons = await LocalMall.WaitForAsync(customer, "me/coupons", body => body.GetProperty("items").GetArrayLength() > 0);
        var coupon = Assert.Single(coupons.GetProperty("items").EnumerateArray());
        var order = await customer.PostAsync("orders", new { items = new[] { new { skuId, quantity = 1 } }, address = LocalMall.Address(), couponId = coupon.GetProperty("id").GetString() }, Guid.NewGuid().ToString());
        Assert.Equal(50_000, order.Body.GetProperty("pricing").GetProperty("payableFen").GetInt64());
        var orderId = order.Body.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId);
        await LocalMall.WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var membership = (await customer.GetAsync("me/membership")).Body;
            // The tier follows the payment; the points follow the order's own points record, a moment later.
            if (membership.GetProperty("tier").GetString() == "bronze" && membership.GetProperty("points").GetInt64() == 500)
            {
                Assert.Contains(membership.GetProperty("benefits").EnumerateArray(), b => b.GetString() == "points-to-cash");
                Assert.Equal("silver", membership.GetProperty("progress").GetProperty("next").GetString());
                break;
            }

            Assert.True(DateTime.UtcNow < deadline, membership.ToString());
            await Task.Delay(200);
        }

        var customerId = (await customer.GetAsync("me")).Body.GetProperty("customerId").GetString();
        var lifecycle = (await admin.GetAsync($"manage/customers/{customerId}")).Body;
        Assert.Equal("FirstOrder", lifecycle.GetProperty("segment").GetString());
        Assert.Equal(50_000, lifecycle.GetProperty("lifetimePaidFen").GetInt64());
        var report = (await admin.GetAsync("manage/segments?days=7")).Body;
        Assert.True(report.GetProperty("runs")[0].GetProperty("sizes").GetProperty("Potential").GetInt32() >= 1);

        // As a Bronze member: a limited-time price, then points on top of it.
        var (productId, discountedSku) = await mall.CreateProductAsync(priceFen: 10_000, stock: 5);
        var window = new { startsAt = DateTimeOffset.UtcNow.AddMinutes(-1), endsAt = DateTimeOffset.UtcNow.AddHours(1) };
        var rule = await admin.PostAsync("manage/price-rules", new { name = "限时8折", priceBps = 8_000, productIds = new[] { productId }, window.startsAt, window.endsAt });
        Assert.Equal(HttpStatusCode.Created, rule.Status);
        var tieIn = await admin.PostAsync("manage/price-rules", new { name = "礼盒", priceBps = 9_000, window.startsAt, window.endsAt, gift = new { name = "礼盒", priceFen = 800, selectedByDefault = true } });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tieIn.Status);
        Assert.Equal("paid-add-on-ticked-by-default", tieIn.Body.GetProperty("findings")[0].GetProperty("code").GetString());
        Assert.Contains("第十九条", tieIn.Body.ToString(), StringComparison.Ordinal);

        var preview = (await customer.PostAsync("orders/preview", new { items = new[] { new { skuId = discountedSku, quantity = 1 } }, points = 500 })).Body;
        Assert.Equal(8_000, preview.GetProperty("lines")[0].GetProperty("unitPriceFen").GetInt64());
        Assert.Equal(500, preview.GetProperty("pricing").GetProperty("pointsFen").GetInt64());
        Assert.Equal(8_000 - 500 + 1_000, preview.GetProperty("pricing").GetProperty("payableFen").GetInt64());

        // Consent to a subscribe message, as wx.requestSubscribeMessage reported it.
        var consent = await mall.AcceptSubscribeMessagesAsync(customer, "TPL_WAKEUP");
        Assert.Equal(1, consent.Body.GetProperty("items")[0].GetProperty("available").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await customer.PostAsync("me/subscriptions", new { templateIds = new[] { "a", "b", "c", "d" } })).Status);
    }
}
