using Mall.Application.Notifications;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Domain.Notifications;
using Mall.Domain.Presale;
using Mall.WeChat.Sandbox;

namespace Mall.IntegrationTests.Presale;

/// <summary>
/// Review findings: a customer's one-time subscription must be spent only on what WeChat took, refused for the
/// user, or may have taken. A message that never left the mall (its access token could not be had) was not
/// taken by WeChat and must give the subscription back.
/// </summary>
public sealed class ReviewConsentDefectTests
{
    private const string Template = "tmpl-balance";

    private static async Task<(MallFixture Mall, string ReservationId, string CustomerId)> DepositPaidAsync()
    {
        var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(39900, null, 5);
        var now = DateTimeOffset.UtcNow;
        var campaign = await mall.Get<PresaleService>().CreateCampaignAsync(
            new PresaleCampaignRequest(product.Skus[0].Id, 5000, 10000, 39900, now.AddHours(-2), now.AddHours(-1), now.AddHours(-1), now.AddHours(1), false, Template),
            CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var reservationId = "R" + Guid.NewGuid().ToString("N");
        await mall.Get<IDocumentCollection<PresaleReservation>>().InsertAsync(
            DocumentKey.Single(reservationId),
            new PresaleReservation { Id = reservationId, CampaignId = campaign.Id, CustomerId = customer, DepositOrderId = reservationId + "D", Status = PresaleStatus.DepositPaid },
            [],
            CancellationToken.None);
        await mall.Get<SubscriptionService>().GrantAsync(customer, new SubscriptionsRequest([Template]), CancellationToken.None);
        return (mall, reservationId, customer);
    }

    private static async Task<PresaleReservation> ReservationAsync(MallFixture mall, string id) =>
        (await mall.Get<IDocumentCollection<PresaleReservation>>().FindAsync(DocumentKey.Single(id), CancellationToken.None))!.Value;

    /// <summary>
    /// The stable_token answer is lost: the subscribe message itself was never sent, yet the client marks the
    /// failure OutcomeUnknown (MiniProgramClient.SendAsync does so for any call, the token fetch too) and
    /// SubscriptionService keeps the subscription spent and records the reminder as "Unknown" for good.
    /// </summary>
    [Fact]
    public async Task A_lost_access_token_answer_spends_the_subscription_although_no_message_was_sent()
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.StableToken, SandboxFault.AnswerLost);

        try
        {
            await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);
        }
        catch (Mall.Application.WeChat.WeChatException)
        {
            // A passing failure may be thrown for the activity's retry; what matters is what was recorded.
        }

        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);

        // Nothing reached WeChat's send API on the first attempt, so the retry must send the reminder and spend then.
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(MessageOutcome.Sent, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Equal(0, (await mall.Get<SubscriptionService>().MineAsync(customer, CancellationToken.None)).Single().Available);
    }
}
