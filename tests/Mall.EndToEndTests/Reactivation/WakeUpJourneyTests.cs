using System.Net;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Domain.Customers;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.EndToEndTests.Reactivation;

/// <summary>A dormant customer through the running mall: consent, the 10:00 wake-up timer, the message and coupon, a return.</summary>
[Collection(nameof(LocalMall))]
public sealed class WakeUpJourneyTests(LocalMall mall)
{
    private const string WakeUpTemplate = "tmpl-wake-up-e2e";

    [Fact]
    public async Task A_dormant_customer_who_consented_gets_the_wake_up_message_and_coupon_and_counts_as_returned_after_paying()
    {
        using var admin = await mall.AdminAsync();
        var template = await admin.PostAsync("manage/coupon-templates", new { name = "回归礼券 10元", kind = "fixedAmount", amountFen = 1_000, validDaysAfterClaim = 14, perCustomerLimit = 1, totalQuota = 10_000, claimable = false });
        Assert.Equal(HttpStatusCode.Created, template.Status);
        // The wake-up campaign's settings in production.
        var options = mall.Host.Services.GetRequiredService<ReactivationOptions>();
        options.CouponTemplateId = template.Body.GetProperty("id").GetString();
        options.MessageTemplateId = WakeUpTemplate;
        using var customer = await mall.NewCustomerAsync();
        Assert.Equal(HttpStatusCode.OK, (await mall.AcceptSubscribeMessagesAsync(customer, WakeUpTemplate)).Status);

        // Six months and more without a visit, as the daily segmentation found.
        var customerId = (await customer.GetAsync("me")).Body.GetProperty("customerId").GetString()!;
        var customers = mall.Host.Services.GetRequiredService<IDocumentCollection<Customer>>();
        var longAgo = DateTimeOffset.UtcNow.AddDays(-200);
        var dormant = await customers.UpdateAsync(DocumentKey.Single(customerId), customerId, c => c with
        {
            RegisteredAt = longAgo,
            LastLoginAt = longAgo,
            Segment = new SegmentAssignment(CustomerSegment.Dormant, longAgo.AddDays(180)),
        }, CancellationToken.None);

        var requestedAt = mall.Environment.Time.GetUtcNow();
        await mall.RunThroughAdminApiAsync("Reactivation_Daily");
        await LocalMall.WaitForCompletedRunAsync(admin, "manage/reactivation?days=1", requestedAt);

        Assert.Single(mall.Environment.Sandbox.SubscribeMessages, m => m.Message.TemplateId == WakeUpTemplate && m.Message.ToUser == dormant.OpenId);
        Assert.Contains((await customer.GetAsync("me/coupons")).Body.GetProperty("items").EnumerateArray(), c => c.GetProperty("name").GetString() == "回归礼券 10元");
        Assert.Equal(0, (await customer.GetAsync("me/subscriptions")).Body.GetProperty("items")[0].GetProperty("available").GetInt32());

        var (_, skuId) = await mall.CreateProductAsync(priceFen: 3_000, stock: 5);
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await admin.GetAsync("manage/reactivation?days=1")).Body is var report && report.GetProperty("returned").GetInt32() < 1)
        {
            Assert.True(DateTime.UtcNow < deadline, report.ToString());
            await Task.Delay(200);
        }
    }
}
