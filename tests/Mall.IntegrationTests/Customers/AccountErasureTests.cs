using Mall.Application.Cart;
using Mall.Application.Customers;
using Mall.Application.Distribution;
using Mall.Application.Membership;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Distribution;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;
using Mall.Infrastructure.Distribution;
using Mall.IntegrationTests.Distribution;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Customers;

/// <summary>DELETE /api/me's service on Azurite: what an erasure takes, what it leaves, and that it finishes.</summary>
public sealed class AccountErasureTests
{
    [Fact]
    public async Task Erasure_forgets_the_person_while_their_order_and_every_ledger_stay_and_reconcile()
    {
        await using var mall = await MallFixture.StartAsync();
        var customers = mall.Get<CustomerService>();
        var distribution = mall.Get<DistributionService>();
        var promoter = await mall.NewCustomerAsync();
        await distribution.ApplyAsync(promoter, CancellationToken.None);
        await distribution.DecidePromoterAsync(promoter, approve: true, CancellationToken.None);
        var user = "buyer-" + Guid.NewGuid().ToString("N");
        var invite = (await customers.GetAsync(promoter, CancellationToken.None)).InviteCode;
        var buyer = (await customers.LoginAsync(new LoginRequest(user + "#1", invite), "192.0.2.20", CancellationToken.None)).CustomerId;
        await customers.UpdateProfileAsync(buyer, new UpdateProfileRequest("小明", new DateOnly(1990, 5, 1), mall.Environment.Sandbox.IssuePhoneCode(user, "13912345678")), CancellationToken.None);
        await mall.AcceptSubscribeMessagesAsync(buyer, "TPL_ERASE");
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var order = (await mall.Get<CheckoutService>().CreateAsync(buyer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)).Order;
        await mall.PayAsync(buyer, order.Id);
        await mall.Events.DrainAsync();
        await distribution.AccrueAsync(order.Id, CancellationToken.None);
        await mall.Events.DrainAsync();
        var cart = mall.Get<CartService>();
        await cart.AddAsync(buyer, new CartItemRequest(product.Skus[0].Id, 2), CancellationToken.None);
        var before = await customers.GetAsync(buyer, CancellationToken.None);

        var personalData = mall.Get<PersonalDataService>();
        await personalData.EraseAsync(buyer, CancellationToken.None);
        await personalData.EraseAsync(buyer, CancellationToken.None);
        await mall.Events.DrainAsync();

        var after = await customers.GetAsync(buyer, CancellationToken.None);
        Assert.Equal((null, null, null, null, string.Empty, true), (after.Nickname, after.Birthday, after.ProtectedPhone, after.ProtectedSessionKey, after.OpenId, after.IsErased));
        Assert.Equal([promoter], after.Referrers);
        Assert.Equivalent((before.Activity, before.Member, before.PointsBalance), (after.Activity, after.Member, after.PointsBalance), strict: true);
        Assert.Empty(await mall.Get<SubscriptionService>().MineAsync(buyer, CancellationToken.None));
        Assert.Empty(await cart.LinesAsync(buyer, CancellationToken.None));
        Assert.Null((await customers.GetAsync(await mall.NewCustomerAsync(after.InviteCode), CancellationToken.None)).ReferrerId);

        // The order, its payment and its encrypted address are kept; the ledgers add up as before.
        var kept = await mall.Get<OrderStore>().GetAsync(order.Id, CancellationToken.None);
        Assert.Equal((OrderStatus.Paid, order.Pricing.PayableFen), (kept.Status, kept.Payment!.AmountFen));
        Assert.Equal(kept.Payment.AmountFen, mall.Environment.Sandbox.FindTransaction(order.Id)!.Resource.Amount!.Total);
        Assert.Equal("13812345678", mall.Get<OrderViews>().Address(kept).Phone);
        Assert.Equal(DueWorkResult.Done, await mall.Get<PaymentService>().ReconcileAsync(order.Id, CancellationToken.None));
        var reconciliation = await distribution.ReconcileAsync(CancellationToken.None);
        Assert.True(reconciliation.Balanced, string.Join("; ", reconciliation.Mismatches));
        Assert.Equal(2_000, (await distribution.BalancesAsync(promoter, CancellationToken.None)).PendingFen);
        var points = await mall.Get<PointsLedger>().LinesAsync(buyer, 100, CancellationToken.None);
        Assert.NotEmpty(points.Items);
        Assert.Equal(after.PointsBalance, points.Items.Sum(line => line.Points));
    }

    [Fact]
    public async Task The_daily_segmentation_passes_over_erased_accounts_classified_or_not()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var segmentation = mall.Get<SegmentationService>();
        var classified = await mall.NewCustomerAsync();
        await segmentation.RunAsync(CancellationToken.None);
        var neverClassified = await mall.NewCustomerAsync();
        var kept = await mall.NewCustomerAsync();
        var personalData = mall.Get<PersonalDataService>();
        await personalData.EraseAsync(classified, CancellationToken.None);
        await personalData.EraseAsync(neverClassified, CancellationToken.None);
        time.Advance(TimeSpan.FromDays(1));

        var run = await segmentation.RunAsync(CancellationToken.None);

        Assert.NotNull(run.CompletedAt);
        Assert.Equal(1, run.Processed);
        Assert.Null((await mall.Get<CustomerService>().GetAsync(classified, CancellationToken.None)).Segment);
        Assert.Equal(CustomerSegment.Potential, (await mall.Get<CustomerService>().GetAsync(kept, CancellationToken.None)).Segment?.Segment);
    }

    [Fact]
    public async Task The_backstop_finishes_an_erasure_whose_request_stopped_after_its_first_step()
    {
        await using var mall = await MallFixture.StartAsync();
        var customers = mall.Get<CustomerService>();
        var user = "halfway-" + Guid.NewGuid().ToString("N");
        var customer = (await customers.LoginAsync(new LoginRequest(user + "#1", null), "192.0.2.21", CancellationToken.None)).CustomerId;
        await mall.Get<ErasedCustomers>().MarkAsync(customer, DateTimeOffset.UtcNow, CancellationToken.None);

        await mall.Get<PersonalDataService>().HandleErasureAsync(customer, CancellationToken.None);
        var next = await customers.LoginAsync(new LoginRequest(user + "#2", null), "192.0.2.21", CancellationToken.None);

        Assert.True((await customers.GetAsync(customer, CancellationToken.None)).IsErased);
        Assert.True(next.IsNew);
        Assert.NotEqual(customer, next.CustomerId);
    }

    [Fact]
    public async Task A_withdrawal_asked_for_before_the_erasure_is_still_paid_to_the_promoter()
    {
        await using var mall = await MallFixture.StartAsync();
        var distribution = mall.Get<DistributionService>();
        var promoter = await WithdrawalRaceTests.SettledPromoterAsync(mall, 1_000);
        var openId = (await mall.Get<CustomerService>().GetAsync(promoter, CancellationToken.None)).OpenId;
        var withdrawal = await distribution.RequestWithdrawalAsync(promoter, "before-erasure", new WithdrawalRequest(1_000), CancellationToken.None);

        await mall.Get<PersonalDataService>().EraseAsync(promoter, CancellationToken.None);
        await distribution.DecideWithdrawalAsync(promoter, withdrawal.Id, pay: true, CancellationToken.None);
        await mall.Events.DrainAsync();

        var instruction = (await mall.Get<IDocumentCollection<PayoutInstruction>>().FindAsync(DocumentKey.Single(withdrawal.Id), CancellationToken.None))?.Value;
        Assert.Equal((openId, 1_000L), (instruction?.OpenId, instruction?.AmountFen ?? 0));
        Assert.Equal(WithdrawalStatus.Paid, (await distribution.SummaryAsync(promoter, CancellationToken.None)).Withdrawals.Single().Status);
    }
}
