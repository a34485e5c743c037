using Mall.Application.Coupons;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Application.Segmentation;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Customers;
using Mall.Domain.Notifications;
using Mall.Domain.Orders;
using Mall.Domain.Reactivation;
using Mall.Domain.Segmentation;
using Mall.Infrastructure.Storage;
using Mall.IntegrationTests.Platform;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.IntegrationTests.Reactivation;

public sealed class ReactivationRunTests
{
    private const string WakeUpTemplate = "TPL_WAKEUP";

    /// <summary>A mall whose wake-up campaign issues a coupon and a recall message.</summary>
    private static async Task<MallFixture> StartAsync(int pageSize = 200)
    {
        var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["Reactivation:MessageTemplateId"] = WakeUpTemplate,
            ["Reactivation:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Reactivation:MessagesPerSecond"] = "50",
        });
        var template = await mall.Get<CouponService>().CreateTemplateAsync(new CouponTemplateRequest { Name = "回归礼券", Kind = CouponKind.FixedAmount, AmountFen = 1000, ValidDaysAfterClaim = 30, PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false }, CancellationToken.None);
        mall.Get<ReactivationOptions>().CouponTemplateId = template.Id;
        return mall;
    }

    /// <summary>Customers who last showed up 200 days ago, classified Dormant by the daily segmentation.</summary>
    private static async Task<string[]> DormantCustomersAsync(MallFixture mall, int count)
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, count).Select(_ => mall.NewCustomerAsync()));
        var longAgo = DateTimeOffset.UtcNow.AddDays(-200);
        foreach (var id in ids)
        {
            await Customers(mall).UpdateAsync(DocumentKey.Single(id), id, c => c with { RegisteredAt = longAgo, LastLoginAt = longAgo }, CancellationToken.None);
        }

        await mall.Get<SegmentationService>().RunAsync(CancellationToken.None);
        return ids;
    }

    private static IDocumentCollection<Customer> Customers(MallFixture mall) => mall.Get<IDocumentCollection<Customer>>();

    private static async Task<Customer> CustomerAsync(MallFixture mall, string id) => (await Customers(mall).FindAsync(DocumentKey.Single(id), CancellationToken.None))!.Value;

    private static List<string> WakeUpMessageRecipients(MallFixture mall) =>
        mall.Environment.Sandbox.SubscribeMessages.Where(m => m.Message.TemplateId == WakeUpTemplate).Select(m => m.Message.ToUser!).ToList();

    [Fact]
    public async Task Dormant_customers_get_one_coupon_a_message_only_with_consent_and_a_re_run_issues_nothing()
    {
        await using var mall = await StartAsync();
        var active = await mall.NewCustomerAsync();
        var (consenting, silent) = (await DormantCustomersAsync(mall, 2)) switch { var ids => (ids[0], ids[1]) };
        await mall.AcceptSubscribeMessagesAsync(consenting, WakeUpTemplate);
        var reactivation = mall.Get<ReactivationService>();

        var first = await reactivation.RunAsync(CancellationToken.None);
        var again = await reactivation.RunAsync(CancellationToken.None);

        Assert.Equal((2, 2, 2, 1, 1), (first.Dormant, first.Contacted, first.CouponsIssued, first.MessagesSent, first.NoConsent));
        Assert.Equal(first, again);
        Assert.Equal([(await CustomerAsync(mall, consenting)).OpenId], WakeUpMessageRecipients(mall));
        var coupons = mall.Get<CouponService>();
        Assert.Single(await coupons.MineAsync(consenting, CancellationToken.None));
        Assert.Single(await coupons.MineAsync(silent, CancellationToken.None));
        Assert.Empty(await coupons.MineAsync(active, CancellationToken.None));
        Assert.Equal(0, (await mall.Get<SubscriptionService>().MineAsync(consenting, CancellationToken.None)).Single().Available);
    }

    [Fact]
    public async Task A_customer_is_contacted_again_only_after_thirty_days_an_unfinished_contact_is_finished_and_a_payment_in_the_window_counts_once()
    {
        await using var mall = await StartAsync();
        var (recent, due, unfinished) = (await DormantCustomersAsync(mall, 3)) switch { var ids => (ids[0], ids[1], ids[2]) };
        var now = DateTimeOffset.UtcNow;
        async Task MarkAsync(string id, int daysAgo, bool finished)
        {
            var mark = new WakeUpMark(ChinaTime.DateOf(now.AddDays(-daysAgo)), now.AddDays(-daysAgo));
            await Customers(mall).UpdateAsync(DocumentKey.Single(id), id, c => c with { LastWakeUp = mark }, CancellationToken.None);
            if (finished)
            {
                await mall.Get<IDocumentCollection<WakeUpContact>>().InsertAsync(new DocumentKey($"{mark.Day:yyyy-MM-dd}", id), new WakeUpContact(id, mark.Day, mark.At, true, WakeUpMessage.NoConsent), [], CancellationToken.None);
            }
        }

        await MarkAsync(recent, daysAgo: 10, finished: true);
        await MarkAsync(due, daysAgo: 31, finished: true);
        await MarkAsync(unfinished, daysAgo: 1, finished: false); // yesterday's run crashed mid-contact
        var reactivation = mall.Get<ReactivationService>();

        var run = await reactivation.RunAsync(CancellationToken.None);
        Assert.Equal((3, 2, 1), (run.Dormant, run.Contacted, run.Skipped));
        Assert.Single(await mall.Get<CouponService>().MineAsync(unfinished, CancellationToken.None));

        var product = await mall.CreateProductAsync(3000, null, 10);
        var order = await mall.Get<CheckoutService>().CreateAsync(due, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None);
        await mall.PayAsync(due, order.Order.Id);
        await mall.Events.DrainAsync();
        Assert.Equal(1, (await reactivation.ReportAsync(40, CancellationToken.None)).Returned);
        // The same payment delivered once more (its marker aside): the contact counts once.
        await reactivation.HandleAsync(new OrderPaid(new OrderFacts(order.Order.Id, due, 3000, null, null, false, 0), 3000, "again", DateTimeOffset.UtcNow) { OccurredAt = now }, new EventContext(null!), CancellationToken.None);

        var report = await reactivation.ReportAsync(40, CancellationToken.None);
        Assert.Equal((4, 1, 0.25), (report.Contacted, report.Returned, report.Rate));
        Assert.NotEqual(CustomerSegment.Dormant, (await CustomerAsync(mall, due)).Segment!.Segment);
    }

    [Fact]
    public async Task A_dormant_customer_stored_before_the_segment_column_existed_is_found_once_the_daily_segmentation_has_run()
    {
        await using var mall = await StartAsync();
        var id = await mall.NewCustomerAsync();
        var key = DocumentKey.Single(id);
        var longAgo = DateTimeOffset.UtcNow.AddDays(-200);
        var stored = (await Customers(mall).FindAsync(key, CancellationToken.None))!.Value;
        // Written the way the first version stored customers: no indexed columns.
        var firstVersion = new TableDocumentCollection<Customer>(mall.Get<TableProvider>(), new DocumentCollectionDefinition<Customer>("Customers"));
        await firstVersion.UpsertAsync(key, stored with { RegisteredAt = longAgo, LastLoginAt = longAgo, Segment = new SegmentAssignment(CustomerSegment.Dormant, longAgo), IndexVersion = 0 }, CancellationToken.None);
        var dormantQuery = new DocumentQuery { ColumnEquals = new Dictionary<string, string> { ["Segment"] = "Dormant" } };
        Assert.Empty((await Customers(mall).QueryAsync(dormantQuery, null, 10, CancellationToken.None)).Items);

        await mall.Get<SegmentationService>().RunAsync(CancellationToken.None);
        var run = await mall.Get<ReactivationService>().RunAsync(CancellationToken.None);

        Assert.Single((await Customers(mall).QueryAsync(dormantQuery, null, 10, CancellationToken.None)).Items);
        Assert.Equal((1, 1), (run.Dormant, run.Contacted));
    }

    [Fact]
    public async Task A_run_that_crashes_half_way_resumes_without_skipping_anyone_or_sending_any_message_twice()
    {
        await using var mall = await StartAsync(pageSize: 2);
        var ids = await DormantCustomersAsync(mall, 4);
        foreach (var id in ids)
        {
            await mall.AcceptSubscribeMessagesAsync(id, WakeUpTemplate);
        }

        // One customer was mid-contact when an earlier attempt died: marked, subscription spent, nothing recorded.
        var now = DateTimeOffset.UtcNow;
        var today = ChinaTime.DateOf(now);
        var interrupted = ids[3];
        await Customers(mall).UpdateAsync(DocumentKey.Single(interrupted), interrupted, c => c with { LastWakeUp = new WakeUpMark(today, now) }, CancellationToken.None);
        await mall.Get<IDocumentCollection<MessageSubscription>>().UpdateAsync(new DocumentKey(interrupted, WakeUpTemplate), interrupted, s => s.Spend($"wakeup:{today:yyyy-MM-dd}").Subscription, CancellationToken.None);
        var crashing = ActivatorUtilities.CreateInstance<ReactivationService>(mall.Services, new CrashingQueries<Customer>(Customers(mall), crashOnQuery: 2));

        await Assert.ThrowsAsync<IOException>(() => crashing.RunAsync(CancellationToken.None));
        var resumed = await mall.Get<ReactivationService>().RunAsync(CancellationToken.None);

        Assert.NotNull(resumed.CompletedAt);
        Assert.Equal((4, 4, 4, 3), (resumed.Dormant, resumed.Contacted, resumed.CouponsIssued, resumed.MessagesSent));
        var recipients = WakeUpMessageRecipients(mall);
        Assert.Equal(3, recipients.Count);
        Assert.Equal(3, recipients.Distinct().Count());
        Assert.DoesNotContain((await CustomerAsync(mall, interrupted)).OpenId, recipients);
    }

    [Fact]
    public async Task A_wake_up_text_WeChat_would_refuse_is_not_sent_and_the_subscription_is_kept()
    {
        await using var mall = await StartAsync();
        mall.Get<ReactivationOptions>().MessageText = "好久不见，您的专属回归礼券已经放入您的账户";
        var customer = (await DormantCustomersAsync(mall, 1))[0];
        await mall.AcceptSubscribeMessagesAsync(customer, WakeUpTemplate);

        var run = await mall.Get<ReactivationService>().RunAsync(CancellationToken.None);

        Assert.Equal((1, 0, 1), (run.Contacted, run.MessagesSent, run.MessagesFailed));
        Assert.Empty(WakeUpMessageRecipients(mall));
        Assert.Equal(1, (await mall.Get<SubscriptionService>().MineAsync(customer, CancellationToken.None)).Single().Available);
    }

    [Theory]
    [InlineData(WeChatErrorCodes.UserRefusedMessage, 0, 0, 1)]
    [InlineData(WeChatErrorCodes.InvalidTemplateData, 1, 1, 0)]
    [InlineData(WeChatErrorCodes.InvalidOpenId, 1, 1, 0)]
    [InlineData(WeChatErrorCodes.RateLimited, 1, 1, 0)]
    public async Task WeChat_refusing_a_recall_message_spends_the_subscription_only_when_it_refuses_for_the_customer(int errCode, int available, int failed, int noConsent)
    {
        await using var mall = await StartAsync();
        var customer = (await DormantCustomersAsync(mall, 1))[0];
        await mall.AcceptSubscribeMessagesAsync(customer, WakeUpTemplate);
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.Error(errCode));

        var run = await mall.Get<ReactivationService>().RunAsync(CancellationToken.None);

        Assert.Equal((0, failed, noConsent), (run.MessagesSent, run.MessagesFailed, run.NoConsent));
        Assert.Equal(available, (await mall.Get<SubscriptionService>().MineAsync(customer, CancellationToken.None)).Single().Available);
        var contacts = new List<WakeUpContact>();
        await foreach (var contact in mall.Get<IDocumentCollection<WakeUpContact>>().ScanAsync(new DocumentQuery(), 10, CancellationToken.None))
        {
            contacts.Add(contact.Value);
        }

        Assert.Equal(errCode.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(contacts).MessageCode);
    }
}
