using System.Net;
using static Mall.EndToEndTests.Presale.PresaleSteps;

namespace Mall.EndToEndTests.Presale;

/// <summary>Presales through the running mall with windows a few seconds long: deposit, reminder, balance, or forfeit.</summary>
[Collection(nameof(LocalMall))]
public sealed class PresaleJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_deposit_then_a_reminder_then_a_balance_of_final_price_minus_deposit_value_completes_the_presale()
    {
        var balanceOpensNoEarlierThan = DateTimeOffset.UtcNow.AddSeconds(5);
        var (campaignId, _) = await CampaignAsync(mall, TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), refundable: false);
        using var customer = await mall.NewCustomerAsync();
        // The mini-program asked for the reminder with wx.requestSubscribeMessage and the customer accepted.
        Assert.Equal(HttpStatusCode.OK, (await mall.AcceptSubscribeMessagesAsync(customer, ReminderTemplateId)).Status);
        var reservationId = await ReserveAndPayDepositAsync(mall, customer, campaignId);

        var early = await customer.PostAsync($"presales/{reservationId}/balance", new { address = LocalMall.Address() });
        if (DateTimeOffset.UtcNow < balanceOpensNoEarlierThan)
        {
            // Answered before the window opened (a loaded machine may get here later, inside it).
            Assert.Equal("OUTSIDE_WINDOW", early.Body.GetProperty("code").GetString());
        }

        // The balance window opens: the reminder goes out first (a balance paid before it would make it moot).
        await WaitForReminderAsync(mall);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        ApiResponse balance;
        while ((balance = await customer.PostAsync($"presales/{reservationId}/balance", new { address = LocalMall.Address() })).Status != HttpStatusCode.Created)
        {
            Assert.True(DateTime.UtcNow < deadline, balance.Body.ToString());
            await Task.Delay(250);
        }

        var again = await customer.PostAsync($"presales/{reservationId}/balance", new { address = LocalMall.Address() });
        var balanceOrder = balance.Body.GetProperty("order");
        Assert.Equal(balanceOrder.GetProperty("id").GetString(), again.Body.GetProperty("order").GetProperty("id").GetString());
        Assert.Equal(29900, balanceOrder.GetProperty("pricing").GetProperty("goodsFen").GetInt64());
        var balanceOrderId = balanceOrder.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{balanceOrderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(balanceOrderId);

        await WaitForPresaleAsync(customer, reservationId, "balancePaid");
        // Only this customer consented, so the other presale journeys' reminders were never sent.
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages, m => m.Message.TemplateId == ReminderTemplateId);
    }

    [Fact]
    public async Task A_balance_never_paid_forfeits_a_non_refundable_deposit_and_puts_the_unit_back_on_sale()
    {
        var (campaignId, productId) = await CampaignAsync(mall, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3), refundable: false);
        using var customer = await mall.NewCustomerAsync();
        var reservationId = await ReserveAndPayDepositAsync(mall, customer, campaignId);
        Assert.Equal(4, (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());

        var forfeited = await WaitForPresaleAsync(customer, reservationId, "forfeited");

        var deposit = (await customer.GetAsync($"orders/{forfeited.GetProperty("depositOrderId").GetString()}")).Body;
        Assert.Equal(0, deposit.GetProperty("refundedFen").GetInt64());
        // The deposit order is concluded first, then the unit goes back on sale (an idempotent stock return the activity retries).
        var deadline = DateTime.UtcNow.AddSeconds(15);
        long stock;
        while ((stock = (await customer.GetAsync($"products/{productId}")).Body.GetProperty("skus")[0].GetProperty("stock").GetInt64()) != 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(5, stock);
    }

    [Fact]
    public async Task A_balance_never_paid_refunds_a_refundable_deposit_with_its_unit()
    {
        var (campaignId, productId) = await CampaignAsync(mall, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(3), refundable: true);
        using var customer = await mall.NewCustomerAsync();
        var reservationId = await ReserveAndPayDepositAsync(mall, customer, campaignId);

        await WaitForDepositRefundAsync(mall, customer, reservationId, productId);
    }
}
