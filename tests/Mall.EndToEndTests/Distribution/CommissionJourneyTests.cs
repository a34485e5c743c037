using System.Net;
using System.Text.Json;

namespace Mall.EndToEndTests.Distribution;

/// <summary>
/// A promoter's commission through the running mall: accrued when their invitee pays, settled by the
/// settlement orchestration after the (shortened) after-sale wait, reversed by a later refund, withdrawn.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class CommissionJourneyTests(LocalMall mall)
{
    private static async Task<JsonElement> WaitForSummaryAsync(ApiClient promoter, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var summary = (await promoter.GetAsync("me/distribution")).Body;
            if (condition(summary))
            {
                return summary;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Distribution summary never reached the expected state: {summary}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Commission_is_pending_on_payment_settles_after_completion_is_reversed_by_a_later_refund_and_can_be_withdrawn()
    {
        using var admin = await mall.AdminAsync();
        using var promoter = await mall.NewCustomerAsync();
        Assert.Equal(HttpStatusCode.OK, (await promoter.PostAsync("me/distribution/apply", new { })).Status);
        var promoterId = (await promoter.GetAsync("me")).Body.GetProperty("customerId").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/promoters/{promoterId}/approve", new { })).Status);
        var inviteCode = (await promoter.GetAsync("me/distribution")).Body.GetProperty("inviteCode").GetString();

        using var buyer = await mall.NewCustomerAsync(inviteCode);
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 5000, stock: 10);
        var orderId = await LocalMall.PlaceAndPrepayAsync(buyer, skuId, 2);
        await mall.Environment.Sandbox.PayAsync(orderId);

        // 40% of the 10000 fen of goods (shipping excluded), pending until the after-sale wait is over.
        var pending = await WaitForSummaryAsync(promoter, s => s.GetProperty("pendingFen").GetInt64() == 4000);
        Assert.Equal(1, pending.GetProperty("team").GetProperty("level1").GetInt32());
        Assert.Equal(0, pending.GetProperty("settledFen").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = "SF0000001" })).Status);
        Assert.Equal(HttpStatusCode.OK, (await buyer.PostAsync($"orders/{orderId}/confirm-receipt", new { })).Status);
        await WaitForSummaryAsync(promoter, s => s.GetProperty("settledFen").GetInt64() == 4000 && s.GetProperty("pendingFen").GetInt64() == 0);

        // Still within the order's after-sale window: half the goods come back, half the commission is reversed.
        var refund = await buyer.PostAsync($"orders/{orderId}/refunds", new { reason = "one tin was dented", items = new[] { new { skuId, quantity = 1 } } });
        Assert.Equal(HttpStatusCode.Created, refund.Status);
        var refundId = refund.Body.GetProperty("refunds").EnumerateArray().Last().GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"manage/orders/{orderId}/refunds/{refundId}/approve", new { })).Status);
        await WaitForSummaryAsync(promoter, s => s.GetProperty("settledFen").GetInt64() == 2000);

        var tooMuch = await promoter.PostAsync("me/withdrawals", new { amountFen = 2001 }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal("WITHDRAWAL_EXCEEDS_BALANCE", tooMuch.Body.GetProperty("code").GetString());
        var withdrawal = await promoter.PostAsync("me/withdrawals", new { amountFen = 1500 }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, withdrawal.Status);
        var withdrawalId = withdrawal.Body.GetProperty("id").GetString();
        var paid = await admin.PostAsync($"manage/promoters/{promoterId}/withdrawals/{withdrawalId}/pay", new { });
        Assert.Equal(HttpStatusCode.OK, paid.Status);

        var final = await WaitForSummaryAsync(promoter, s => s.GetProperty("withdrawnFen").GetInt64() == 1500);
        // Where the payout goes is the promoter's openid: WeChat's, not something the API hands out.
        Assert.All(new[] { withdrawal.Body, paid.Body, final }, body => Assert.DoesNotContain("payeeOpenId", body.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(500, final.GetProperty("withdrawableFen").GetInt64());
        var ledger = (await promoter.GetAsync("me/commissions")).Body.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, ledger.Count); // accrued, settled, reversed, paid out
        var books = await admin.GetAsync("manage/distribution/reconciliation");
        Assert.True(books.Body.GetProperty("balanced").GetBoolean(), books.Body.ToString());
    }
}
