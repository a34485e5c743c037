using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Coupons;

namespace Mall.UnitTests.CardCollecting;

/// <summary>A collection's rules: one card per task occurrence, the set redeemed once, refunds never leaving a free reward.</summary>
public sealed class CardCollectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    /// <summary>Two kinds, no misses allowed: the first task gives one kind, the second the other.</summary>
    private static readonly CardCampaign TwoCards = CardDrawsTests.Campaign([1, 1], 0);

    private static CardCollection Earn(CardCollection collection, string operation, CardTaskKind task = CardTaskKind.PaidOrder) =>
        collection.Earn(TwoCards, operation, task, task == CardTaskKind.PaidOrder ? operation["order:".Length..] : null, Now).Collection;

    private static CardCollection FullSet() => Earn(Earn(new CardCollection(TwoCards.Id, "C1"), "check-in:2026-12-01", CardTaskKind.DailyCheckIn), "order:O1");

    [Fact]
    public void A_task_occurrence_earns_one_card_for_good_and_a_repeat_gets_the_same_card()
    {
        var first = new CardCollection(TwoCards.Id, "C1").Earn(TwoCards, "order:O1", CardTaskKind.PaidOrder, "O1", Now);
        var again = first.Collection.Earn(TwoCards, "order:O1", CardTaskKind.PaidOrder, "O1", Now.AddHours(1));

        Assert.Equal(EarnResult.Earned, first.Result);
        Assert.Equal((EarnResult.AlreadyEarned, first.Card), (again.Result, again.Card));
        Assert.Same(first.Collection, again.Collection);
    }

    [Fact]
    public void A_collection_holds_at_most_its_bound_and_a_redeemed_set_earns_nothing_more()
    {
        var collection = new CardCollection(TwoCards.Id, "C1");
        for (var n = 0; n < CardCollection.MaxCards; n++)
        {
            collection = Earn(collection, $"order:O{n}");
        }

        Assert.Equal(EarnResult.LimitReached, collection.Earn(TwoCards, "order:more", CardTaskKind.PaidOrder, "more", Now).Result);
        var redeemed = FullSet().Reserve(TwoCards, Now, null);
        redeemed = redeemed.Grant(TwoCards, redeemed.Redemption!.Id, "CP1", null, Now).Collection;
        Assert.Equal(EarnResult.SetRedeemed, redeemed.Earn(TwoCards, "order:O9", CardTaskKind.PaidOrder, "O9", Now).Result);
    }

    [Fact]
    public void A_set_is_reserved_once_with_check_in_cards_first_and_refused_when_incomplete_or_redeemed()
    {
        var incomplete = Earn(new CardCollection(TwoCards.Id, "C1"), "order:O1");
        Assert.Equal(ErrorCode.CardSetIncomplete, Assert.Throws<DomainException>(() => incomplete.Reserve(TwoCards, Now, null)).Code);

        // Three cards: an order's and a check-in's of one kind, the other kind from a second order.
        var three = Earn(Earn(Earn(new CardCollection(TwoCards.Id, "C1"), "order:O1"), "order:O2"), "check-in:2026-12-01", CardTaskKind.DailyCheckIn);
        var kindOfCheckIn = three.Cards.Single(c => c.Task == CardTaskKind.DailyCheckIn).Card;
        var reserved = three.Reserve(TwoCards, Now, null);

        Assert.Equal("check-in:2026-12-01", reserved.Redemption!.Consumed[kindOfCheckIn]);
        Assert.Same(reserved, reserved.Reserve(TwoCards, Now.AddMinutes(1), null));
        var granted = reserved.Grant(TwoCards, reserved.Redemption.Id, "CP1", null, Now);
        Assert.NotNull(granted.Redeemed);
        Assert.Null(granted.Collection.Grant(TwoCards, reserved.Redemption.Id, "CP1", null, Now).Redeemed);
        Assert.Equal(ErrorCode.CardSetAlreadyRedeemed, Assert.Throws<DomainException>(() => granted.Collection.Reserve(TwoCards, Now, null)).Code);
    }

    [Fact]
    public void A_refused_budget_withdraws_a_redemption_only_while_nothing_was_reserved_for_it()
    {
        var reserved = FullSet().Reserve(TwoCards, Now, null);
        var id = reserved.Redemption!.Id;

        Assert.Null(reserved.Withdraw(id).Redemption);
        var charged = reserved.RecordCharge(id, new DateOnly(2026, 12, 1)).Collection;
        Assert.Same(charged, charged.Withdraw(id));
        Assert.Equal(new DateOnly(2026, 12, 1), charged.RecordCharge(id, new DateOnly(2026, 12, 2)).ChargedDay);
        Assert.Null(charged.RecordCharge("other", new DateOnly(2026, 12, 2)).ChargedDay);
    }

    [Fact]
    public void A_refunded_orders_card_is_replaced_by_another_of_its_kind_when_the_customer_has_one()
    {
        var set = FullSet();
        var orderKind = set.Cards.Single(c => c.Operation == "order:O1").Card;
        var spare = Enumerable.Range(2, 20).Select(n => $"order:O{n}").Aggregate(set, (c, op) => Earn(c, op));
        var spareOfKind = spare.Cards.First(c => c.Card == orderKind && c.Operation != "order:O1").Operation;
        var reserved = spare.Reserve(TwoCards, Now, null);
        Assert.Equal("order:O1", reserved.Redemption!.Consumed[orderKind]);

        var (revoked, effect) = reserved.Revoke("order:O1", "O1", Now);

        Assert.Equal(RevocationEffect.Revoked, effect);
        Assert.Equal(spareOfKind, revoked.Redemption!.Consumed[orderKind]);
        var again = revoked.Revoke("order:O1", "O1", Now);
        Assert.Equal(RevocationEffect.None, again.Effect);
        Assert.Same(revoked, again.Collection);
    }

    [Fact]
    public void A_refund_without_a_spare_card_gives_up_a_reserved_redemption_and_takes_back_a_granted_reward()
    {
        var reserved = FullSet().Reserve(TwoCards, Now, null);
        var id = reserved.Redemption!.Id;
        var charged = reserved.RecordCharge(id, new DateOnly(2026, 12, 1)).Collection;

        var (abandoned, effect) = charged.Revoke("order:O1", "O1", Now);
        Assert.Equal(RevocationEffect.RedemptionAbandoned, effect);
        Assert.Null(abandoned.Redemption);
        Assert.Equal([new AbandonedRedemption(id, new DateOnly(2026, 12, 1))], abandoned.Abandoned);
        Assert.Equal(ErrorCode.CardSetIncomplete, Assert.Throws<DomainException>(() => abandoned.Reserve(TwoCards, Now, null)).Code);

        // With the kind earned again, the next redemption has an id of its own: nothing done for the abandoned one counts for it.
        var again = Earn(abandoned, "order:O2").Reserve(TwoCards, Now, null);
        Assert.NotEqual(id, again.Redemption!.Id);

        var granted = charged.Grant(TwoCards, id, "CP1", null, Now).Collection;
        var (clawing, due) = granted.Revoke("order:O1", "O1", Now);
        Assert.Equal(RevocationEffect.ClawbackDue, due);
        Assert.Equal((RewardClawback.Pending, "O1"), (clawing.Redemption!.Clawback, clawing.Redemption.ClawbackOrderId));
        var (settled, revoked) = clawing.SettleClawback(RewardClawback.CouponInUse, Now);
        Assert.Equal(RewardClawback.CouponInUse, revoked!.Outcome);
        Assert.Null(settled.SettleClawback(RewardClawback.Revoked, Now).Revoked);
        Assert.Equal(RedemptionStatus.Granted, settled.Redemption!.Status);
    }

    [Fact]
    public void A_revoked_coupon_is_unusable_and_one_in_use_is_revoked_when_its_order_gives_it_back()
    {
        var available = new Coupon
        {
            Id = "CP1", TemplateId = "CT1", CustomerId = "C1", Status = CouponStatus.Available, ValidFrom = Now, ValidUntil = Now.AddDays(7), IssuedAt = Now, Reason = "cards:CR1",
        };

        var revoked = available.Revoke(Now);
        Assert.Equal(CouponStatus.Revoked, revoked.Status);
        Assert.Throws<DomainException>(() => revoked.Use("C1", "O1", Now));
        Assert.Same(revoked, revoked.Revoke(Now));

        var used = available.Use("C1", "O2", Now);
        var pending = used.Revoke(Now);
        Assert.Equal((CouponStatus.Used, true), (pending.Status, pending.RevokeWhenReturned));
        Assert.Equal(CouponStatus.Revoked, pending.Return("O2", Now).Status);
        Assert.Equal(CouponStatus.Available, used.Return("O2", Now).Status);
    }

    [Fact]
    public void A_gift_is_shipped_or_cancelled_whichever_comes_first()
    {
        var pending = new CardFulfilment("CR1", "CK1", "C1", "保温杯", 8_000, "protected", Now);

        var shipped = pending.Ship("SF", "SF1", "admin", Now);
        Assert.Same(shipped, shipped.Ship("SF", "SF1", "admin", Now));
        Assert.Same(shipped, shipped.Cancel(Now));
        Assert.Throws<DomainException>(() => shipped.Ship("SF", "SF2", "admin", Now));

        var cancelled = pending.Cancel(Now);
        Assert.Equal(FulfilmentStatus.Cancelled, cancelled.Status);
        Assert.Throws<DomainException>(() => cancelled.Ship("SF", "SF1", "admin", Now));
    }
}
