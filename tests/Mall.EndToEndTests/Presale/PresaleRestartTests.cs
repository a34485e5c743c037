using System.Net;
using static Mall.EndToEndTests.Presale.PresaleSteps;

namespace Mall.EndToEndTests.Presale;

/// <summary>
/// A presale across a restart of the local host (a mall of its own, so the restart disturbs no other
/// journey): its balance window is kept in the task hub, not in the host that started it.
/// </summary>
public sealed class PresaleRestartTests(LocalMall mall) : IClassFixture<LocalMall>
{
    [Fact]
    public async Task A_host_restarted_before_the_balance_window_still_reminds_the_customer_and_closes_the_window_with_a_refund()
    {
        var (campaignId, productId) = await CampaignAsync(mall, depositWindow: TimeSpan.FromSeconds(12), balanceWindow: TimeSpan.FromSeconds(4), refundable: true);
        using var customer = await mall.NewCustomerAsync();
        Assert.Equal(HttpStatusCode.OK, (await mall.AcceptSubscribeMessagesAsync(customer, ReminderTemplateId)).Status);
        var reservationId = await ReserveAndPayDepositAsync(mall, customer, campaignId);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            // The orchestration keeping the windows (instance id = reservation id) runs before the host goes.
            await mall.Host.DurableClient.WaitForInstanceStartAsync(reservationId, timeout.Token);
        }

        await mall.RestartHostAsync();

        await WaitForReminderAsync(mall);
        await WaitForDepositRefundAsync(mall, customer, reservationId, productId);
    }
}
