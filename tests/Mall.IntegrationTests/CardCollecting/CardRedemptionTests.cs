using System.Collections.Concurrent;
using Mall.Application.CardCollecting;
using Mall.Application.Customers;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Fission;
using Mall.Testing;

namespace Mall.IntegrationTests.CardCollecting;

/// <summary>A full set redeems its reward once: under racing redeems, across crashes, never past the switch or the budget.</summary>
public sealed class CardRedemptionTests
{
    private static readonly AddressRequest Address = MallFixture.Buy("x", 1).Address!;

    /// <summary>Twenty redeems at once; each answers the redemption or a refusal.</summary>
    private static async Task<List<CardRedemption>> RaceAsync(CardShop shop, string customer, AddressRequest? address = null)
    {
        var attempts = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try
            {
                return await shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, address, CancellationToken.None);
            }
            catch (DomainException exception) when (exception.Code is ErrorCode.CardSetAlreadyRedeemed or ErrorCode.Conflict)
            {
                return null;
            }
        }));
        return (await Task.WhenAll(attempts)).OfType<CardRedemption>().ToList();
    }

    [Fact]
    public async Task Twenty_racing_redeems_make_one_redemption_one_coupon_and_one_budget_charge()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var (customer, _) = await shop.CustomerWithFullSetAsync();

        var redeemed = await RaceAsync(shop, customer);
        await mall.Events.DrainAsync();

        Assert.NotEmpty(redeemed);
        Assert.Single(redeemed.Select(r => (r.Id, r.CouponId)).Distinct());
        var coupon = Assert.Single(await shop.CouponsAsync(customer));
        Assert.Equal((coupon.Id, shop.TemplateId), (redeemed[0].CouponId, coupon.TemplateId));
        Assert.Equal(shop.RewardValueFen, await shop.SpentTodayFenAsync());
        Assert.Equal(RedemptionStatus.Granted, (await shop.MineAsync(customer)).Redemption!.Status);
        var again = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None));
        Assert.Equal(ErrorCode.CardSetAlreadyRedeemed, again.Code);
        Assert.Equal(shop.RewardValueFen, await shop.SpentTodayFenAsync());
    }

    [Fact]
    public async Task Twenty_racing_redeems_of_a_gift_record_one_fulfilment_which_operators_ship_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall, new CardGiftRequest("保温杯", 8_000));
        var (customer, _) = await shop.CustomerWithFullSetAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None));
        Assert.Equal(("address", 0L), (refused.FieldErrors!.Keys.Single(), await shop.SpentTodayFenAsync()));
        var redeemed = await RaceAsync(shop, customer, Address);

        Assert.Single(redeemed.Select(r => r.Id).Distinct());
        var fulfilments = await shop.Cards.FulfilmentsAsync(shop.Campaign.Id, FulfilmentStatus.Pending, null, 100, CancellationToken.None);
        var fulfilment = Assert.Single(fulfilments.Items);
        Assert.Equal((customer, "保温杯", "张*", "138****5678", "龙井*****"), (fulfilment.CustomerId, fulfilment.GiftName, fulfilment.Address.Recipient, fulfilment.Address.Phone, fulfilment.Address.Detail));
        Assert.Equal(8_000, await shop.SpentTodayFenAsync());

        // The customer erases their account: the gift still owed ships (its address read once, audited), and then is not read again.
        await mall.Get<PersonalDataService>().EraseAsync(customer, CancellationToken.None);
        var recipient = await shop.Cards.RecipientForOperatorAsync(shop.Campaign.Id, fulfilment.Id, "admin", "ship", CancellationToken.None);
        var shipped = await shop.Cards.ShipAsync(shop.Campaign.Id, fulfilment.Id, new ShipRequest("SF", "SF100"), "admin", CancellationToken.None);
        var afterShipping = await Assert.ThrowsAsync<DomainException>(() => shop.Cards.RecipientForOperatorAsync(shop.Campaign.Id, fulfilment.Id, "admin", "ship", CancellationToken.None));

        Assert.Equal(("张三", "龙井路 1 号"), (recipient.Address.Recipient, recipient.Address.Detail));
        var audited = Assert.Single((await mall.Get<PersonalDataAudit>().ListAsync(null, 10, CancellationToken.None)).Items);
        Assert.Equal(("gift recipient", fulfilment.Id, customer, "ship"), (audited.What, audited.SubjectId, audited.CustomerId, audited.Reason));
        Assert.Equal((FulfilmentStatus.Shipped, "admin"), (shipped.Status, shipped.ShippedBy));
        Assert.Equal(ErrorCode.CustomerErased, afterShipping.Code);
        Assert.Empty((await shop.Cards.FulfilmentsAsync(shop.Campaign.Id, FulfilmentStatus.Pending, null, 100, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task Switched_off_redeeming_and_check_ins_are_refused_and_nothing_changes_but_paid_orders_still_earn()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall);
        var (customer, _) = await shop.CustomerWithFullSetAsync();
        var other = await mall.NewCustomerAsync();
        await mall.Get<FissionControls>().SetAsync(FissionMechanic.CardCollecting, new MechanicControlRequest(false, 1_000_000), "admin", CancellationToken.None);

        var redeem = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None));
        var checkIn = await Assert.ThrowsAsync<DomainException>(() => shop.Cards.CheckInAsync(other, shop.Campaign.Id, CancellationToken.None));
        await shop.PaidOrderAsync(other, 2);

        Assert.Equal((ErrorCode.MechanicSwitchedOff, ErrorCode.MechanicSwitchedOff), (redeem.Code, checkIn.Code));
        Assert.Null((await shop.MineAsync(customer)).Redemption);
        Assert.Empty(await shop.CouponsAsync(customer));
        Assert.Equal(0, await shop.SpentTodayFenAsync());
        Assert.Single((await shop.MineAsync(other)).Earned, c => c.Task == CardTaskKind.PaidOrder);
    }

    [Fact]
    public async Task Over_the_daily_budget_a_redeem_is_refused_leaving_nothing_and_goes_through_once_there_is_room()
    {
        await using var mall = await MallFixture.StartAsync();
        var shop = await CardShop.OpenAsync(mall, dailyBudgetFen: 1_500);
        var (first, _) = await shop.CustomerWithFullSetAsync();
        var (second, _) = await shop.CustomerWithFullSetAsync();
        await shop.Redemptions.RedeemAsync(first, shop.Campaign.Id, null, CancellationToken.None);

        var refused = await Assert.ThrowsAsync<DomainException>(() => shop.Redemptions.RedeemAsync(second, shop.Campaign.Id, null, CancellationToken.None));

        Assert.Equal(ErrorCode.BudgetExhausted, refused.Code);
        Assert.Null((await shop.MineAsync(second)).Redemption);
        Assert.Equal(1_000, await shop.SpentTodayFenAsync());
        await mall.Get<FissionControls>().SetAsync(FissionMechanic.CardCollecting, new MechanicControlRequest(true, 2_000), "admin", CancellationToken.None);
        Assert.NotNull((await shop.Redemptions.RedeemAsync(second, shop.Campaign.Id, null, CancellationToken.None)).CouponId);
        Assert.Equal(2_000, await shop.SpentTodayFenAsync());
    }

    [Fact]
    public async Task A_redemption_a_crash_interrupted_after_its_coupon_is_completed_by_a_retry_or_by_its_due_work_without_a_second_coupon()
    {
        // Under the actor "crash", a redemption's third write of the collection (the one marking it granted) never
        // happens: the process stopped after the coupon was granted.
        var writes = new ConcurrentDictionary<DocumentKey, int>();
        await using var mall = await MallFixture.StartAsync(configureServices: services => services.Script<CardCollection>(collection =>
            collection.BeforeWrite = (actor, key) =>
                actor == "crash" && writes.AddOrUpdate(key, 1, (_, n) => n + 1) == 3 ? throw new TimeoutException("The host stopped.") : Task.CompletedTask));
        var shop = await CardShop.OpenAsync(mall);
        var (retrying, _) = await shop.CustomerWithFullSetAsync();
        var (waiting, _) = await shop.CustomerWithFullSetAsync();

        foreach (var customer in new[] { retrying, waiting })
        {
            await Assert.ThrowsAsync<TimeoutException>(() => ScriptedCollections.RunAs("crash", () => shop.Redemptions.RedeemAsync(customer, shop.Campaign.Id, null, CancellationToken.None)));
            Assert.Equal(RedemptionStatus.Reserved, (await shop.MineAsync(customer)).Redemption!.Status);
            Assert.Single(await shop.CouponsAsync(customer));
        }

        var retried = await shop.Redemptions.RedeemAsync(retrying, shop.Campaign.Id, null, CancellationToken.None);
        await shop.Redemptions.ReconcileAsync(CardRedemptions.Subject(waiting, shop.Campaign.Id), CancellationToken.None);

        foreach (var customer in new[] { retrying, waiting })
        {
            Assert.Equal(RedemptionStatus.Granted, (await shop.MineAsync(customer)).Redemption!.Status);
            Assert.Single(await shop.CouponsAsync(customer));
        }

        Assert.Equal((await shop.CouponsAsync(retrying))[0].Id, retried.CouponId);
        Assert.Equal(2 * shop.RewardValueFen, await shop.SpentTodayFenAsync());
    }
}
