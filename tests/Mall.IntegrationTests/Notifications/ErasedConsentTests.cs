using Mall.Application.Customers;
using Mall.Application.Notifications;
using Mall.Application.WeChat;
using Mall.Domain.Notifications;

namespace Mall.IntegrationTests.Notifications;

public sealed class ErasedConsentTests
{
    [Fact]
    public async Task An_erased_customer_holds_no_consent_and_gets_no_message()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();
        await mall.AcceptSubscribeMessagesAsync(customer, "TPL_GONE", "TPL_GONE", "TPL_OTHER");
        var sentBefore = mall.Environment.Sandbox.SubscribeMessages.Count;

        await mall.Get<PersonalDataService>().EraseAsync(customer, CancellationToken.None);
        var subscriptions = mall.Get<SubscriptionService>();
        var result = await subscriptions.SendAsync(customer, "after-erasure", new SubscribeMessage(string.Empty, "TPL_GONE", null, new Dictionary<string, string> { ["thing1"] = "上新了" }), null, CancellationToken.None);

        Assert.Empty(await subscriptions.MineAsync(customer, CancellationToken.None));
        Assert.Equal(MessageOutcome.NoConsent, result.Outcome);
        Assert.Equal(sentBefore, mall.Environment.Sandbox.SubscribeMessages.Count);
    }
}
