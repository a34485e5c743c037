using Mall.Application.Notifications;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Application.WeChat;
using Mall.Domain.Notifications;
using Mall.Domain.Presale;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;

namespace Mall.IntegrationTests.Presale;

/// <summary>
/// The balance reminder (a one-time subscribe message) against WeChat's answers: recorded as it came out,
/// with WeChat's errcode, and the customer's subscription spent only on what WeChat took or refused for them.
/// </summary>
public sealed class PresaleReminderTests
{
    private const string Template = "tmpl-balance";

    /// <summary>A customer who paid a deposit and accepted the reminder, with the balance window open.</summary>
    private static async Task<(MallFixture Mall, string ReservationId, string CustomerId)> DepositPaidAsync()
    {
        var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(39900, null, 5);
        var now = DateTimeOffset.UtcNow;
        var campaign = await mall.Get<PresaleService>().CreateCampaignAsync(
            new PresaleCampaignRequest { SkuId = product.Skus[0].Id, DepositFen = 5000, DepositValueFen = 10000, FinalPriceFen = 39900, DepositStartsAt = now.AddHours(-2), DepositEndsAt = now.AddHours(-1), BalanceStartsAt = now.AddHours(-1), BalanceEndsAt = now.AddHours(1), DepositRefundable = false, ReminderTemplateId = Template },
            CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var reservationId = "R" + Guid.NewGuid().ToString("N");
        await mall.Get<IDocumentCollection<PresaleReservation>>().InsertAsync(
            DocumentKey.Single(reservationId),
            new PresaleReservation { Id = reservationId, CampaignId = campaign.Id, CustomerId = customer, DepositOrderId = reservationId + "D", Status = PresaleStatus.DepositPaid },
            [],
            CancellationToken.None);
        await mall.AcceptSubscribeMessagesAsync(customer, Template);
        return (mall, reservationId, customer);
    }

    private static async Task<PresaleReservation> ReservationAsync(MallFixture mall, string id) =>
        (await mall.Get<IDocumentCollection<PresaleReservation>>().FindAsync(DocumentKey.Single(id), CancellationToken.None))!.Value;

    private static async Task<int> AvailableAsync(MallFixture mall, string customerId) =>
        (await mall.Get<SubscriptionService>().MineAsync(customerId, CancellationToken.None)).Single().Available;

    [Fact]
    public async Task The_reminder_goes_out_with_an_amount_WeChat_takes_and_is_recorded_as_sent()
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;

        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);

        var sent = Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal("¥299.00", sent.Message.Data!["amount1"].Value);
        Assert.Equal(MessageOutcome.Sent, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Equal(0, await AvailableAsync(mall, customer));
    }

    [Theory]
    [InlineData(WeChatErrorCodes.UserRefusedMessage, MessageOutcome.RefusedByUser, 0)]
    [InlineData(WeChatErrorCodes.InvalidTemplateData, MessageOutcome.Invalid, 1)]
    [InlineData(WeChatErrorCodes.InvalidOpenId, MessageOutcome.Invalid, 1)]
    [InlineData(WeChatErrorCodes.InvalidTemplateId, MessageOutcome.Invalid, 1)]
    [InlineData(WeChatErrorCodes.InvalidPage, MessageOutcome.Invalid, 1)]
    public async Task A_reminder_WeChat_refuses_is_recorded_with_its_code_and_spends_consent_only_when_refused_for_the_user(int errCode, MessageOutcome outcome, int available)
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.Error(errCode));

        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);
        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);

        var reservation = await ReservationAsync(mall, reservationId);
        Assert.Equal((outcome, errCode.ToString(System.Globalization.CultureInfo.InvariantCulture)), (reservation.Reminder!.Outcome, reservation.Reminder.Code));
        Assert.NotNull(reservation.RemindedAt);
        Assert.Empty(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(available, await AvailableAsync(mall, customer));
    }

    [Theory]
    [InlineData(WeChatErrorCodes.Busy)]
    [InlineData(WeChatErrorCodes.MinuteQuotaReached)]
    [InlineData(WeChatErrorCodes.RateLimited)]
    public async Task A_reminder_WeChat_did_not_send_gives_the_subscription_back_and_the_retry_sends_it(int errCode)
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;
        var presales = mall.Get<PresaleService>();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.Error(errCode));

        var busy = await Assert.ThrowsAsync<WeChatException>(() => presales.RemindAsync(reservationId, CancellationToken.None));
        var pending = await ReservationAsync(mall, reservationId);
        var availableBetween = await AvailableAsync(mall, customer);
        await presales.RemindAsync(reservationId, CancellationToken.None);

        Assert.Equal(WeChatFailure.Unavailable, busy.Failure);
        Assert.Equal((MessageOutcome.NotSent, null), (pending.Reminder!.Outcome, pending.RemindedAt));
        Assert.Equal(1, availableBetween);
        Assert.Equal(MessageOutcome.Sent, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(0, await AvailableAsync(mall, customer));
    }

    [Fact]
    public async Task A_reminder_whose_answer_was_lost_keeps_the_subscription_spent_and_is_not_sent_again()
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.AnswerLost);

        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);
        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);

        Assert.Equal(MessageOutcome.Unknown, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(0, await AvailableAsync(mall, customer));
    }

    /// <summary>The access token could not be had (its stable_token answer was lost): the reminder never left the mall.</summary>
    [Fact]
    public async Task A_reminder_whose_access_token_answer_was_lost_gives_the_subscription_back_and_the_retry_sends_it()
    {
        var (mall, reservationId, customer) = await DepositPaidAsync();
        await using var _ = mall;
        var presales = mall.Get<PresaleService>();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.StableToken, SandboxFault.AnswerLost);

        var notSent = await Assert.ThrowsAsync<WeChatException>(() => presales.RemindAsync(reservationId, CancellationToken.None));
        var pending = await ReservationAsync(mall, reservationId);
        var availableBetween = await AvailableAsync(mall, customer);
        await presales.RemindAsync(reservationId, CancellationToken.None);

        Assert.Equal((WeChatFailure.Unavailable, MessageOutcome.NotSent, 1), (notSent.Failure, pending.Reminder!.Outcome, availableBetween));
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(MessageOutcome.Sent, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Equal(0, await AvailableAsync(mall, customer));
    }

    [Fact]
    public async Task A_token_WeChat_calls_invalid_is_refreshed_once_and_the_reminder_still_goes_out()
    {
        var (mall, reservationId, _) = await DepositPaidAsync();
        await using var __ = mall;
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.Error(WeChatErrorCodes.IllegalAccessToken, "invalid access_token"));
        var tokensBefore = mall.Environment.Sandbox.AccessTokenRequests;

        await mall.Get<PresaleService>().RemindAsync(reservationId, CancellationToken.None);

        Assert.Equal(MessageOutcome.Sent, (await ReservationAsync(mall, reservationId)).Reminder!.Outcome);
        Assert.Single(mall.Environment.Sandbox.SubscribeMessages);
        Assert.Equal(2, mall.Environment.Sandbox.AccessTokenRequests - tokensBefore);
    }
}
