using Mall.Application.Coupons;
using Mall.Application.Membership;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Customers;
using Mall.Domain.Membership;

namespace Mall.IntegrationTests.Membership;

public sealed class BirthdayGiftTests
{
    [Fact]
    public async Task Members_get_the_gift_pack_on_their_birthday_once_a_year_others_do_not()
    {
        await using var mall = await MallFixture.StartAsync();
        var coupons = mall.Get<CouponService>();
        var template = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "生日礼包", Kind = CouponKind.FixedAmount, AmountFen = 2_000, ValidDaysAfterClaim = 30, PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false }, CancellationToken.None);
        mall.Get<MembershipOptions>().BirthdayCouponTemplateId = template.Id;
        var today = ChinaTime.DateOf(DateTimeOffset.UtcNow);
        async Task<string> CustomerAsync(MemberTier tier, DateOnly birthday)
        {
            var id = await mall.NewCustomerAsync();
            await mall.Get<IDocumentCollection<Customer>>().UpdateAsync(DocumentKey.Single(id), id, c => c with { Member = new MemberStatus(tier, DateTimeOffset.UtcNow), Birthday = birthday }, CancellationToken.None);
            return id;
        }

        var celebrating = await CustomerAsync(MemberTier.Bronze, today.AddYears(-30));
        var notAMember = await CustomerAsync(MemberTier.None, today.AddYears(-30));
        var tomorrow = await CustomerAsync(MemberTier.Gold, today.AddYears(-30).AddDays(1));
        var membership = mall.Get<MembershipService>();

        var first = await membership.IssueBirthdayGiftsAsync(CancellationToken.None);
        var again = await membership.IssueBirthdayGiftsAsync(CancellationToken.None);

        Assert.Equal((1, 1), (first, again));
        Assert.Single(await coupons.MineAsync(celebrating, CancellationToken.None));
        Assert.Empty(await coupons.MineAsync(notAMember, CancellationToken.None));
        Assert.Empty(await coupons.MineAsync(tomorrow, CancellationToken.None));
    }
}
