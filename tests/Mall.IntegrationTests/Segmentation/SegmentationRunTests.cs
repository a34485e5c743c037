using Mall.Application.Coupons;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Application.Segmentation;
using Mall.Domain.Coupons;
using Mall.Domain.Customers;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.Logging.Abstractions;

using Mall.IntegrationTests.Platform;
using Mall.Application.Membership;

namespace Mall.IntegrationTests.Segmentation;

public sealed class SegmentationRunTests
{
    private static SegmentationService Service(MallFixture mall, IDocumentCollection<Customer>? customers = null) => new(
        customers ?? mall.Get<IDocumentCollection<Customer>>(),
        mall.Get<IDocumentCollection<SegmentationRun>>(),
        new SegmentationOptions { PageSize = 3 },
        new MembershipOptions().ToRules(),
        mall.Get<ReactivationService>(),
        TimeProvider.System,
        NullLogger<SegmentationService>.Instance);

    private static async Task<IReadOnlyList<Customer>> AllCustomersAsync(MallFixture mall) =>
        (await mall.Get<IDocumentCollection<Customer>>().QueryAsync(new DocumentQuery(), null, 1000, CancellationToken.None)).Items.Select(c => c.Value).ToList();

    [Fact]
    public async Task A_run_classifies_everyone_page_by_page_and_re_running_the_same_day_changes_and_issues_nothing()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?> { ["Segmentation:PageSize"] = "3" });
        // The segment's automatic action: a gift pack for every customer who becomes Potential.
        var coupons = mall.Get<CouponService>();
        var giftPack = await coupons.CreateTemplateAsync(new CouponTemplateRequest { Name = "新人礼包", Kind = CouponKind.FixedAmount, AmountFen = 500, ValidDaysAfterClaim = 30, PerCustomerLimit = 1, TotalQuota = 1000, Claimable = false }, CancellationToken.None);
        var options = mall.Get<SegmentationOptions>();
        options.CouponTemplates["Potential"] = giftPack.Id;
        var customers = await Task.WhenAll(Enumerable.Range(0, 7).Select(_ => mall.NewCustomerAsync()));
        var segmentation = mall.Get<SegmentationService>();

        var first = await segmentation.RunAsync(CancellationToken.None);
        await mall.Events.DrainAsync();
        var again = await segmentation.RunAsync(CancellationToken.None);
        await mall.Events.DrainAsync();

        Assert.Equal(7, first.Processed);
        Assert.Equal(3, first.Pages);
        Assert.Equal(7, first.Changed);
        Assert.Equal(7, first.Sizes["Potential"]);
        Assert.Equal(7, first.Transitions["New->Potential"]);
        Assert.Equal((first.CompletedAt, first.Pages, first.Changed), (again.CompletedAt, again.Pages, again.Changed));
        Assert.Equal(first.Sizes, again.Sizes);
        Assert.All(await AllCustomersAsync(mall), c => Assert.Equal(CustomerSegment.Potential, c.Segment!.Segment));
        foreach (var customer in customers)
        {
            Assert.Single(await coupons.MineAsync(customer, CancellationToken.None));
        }
    }

    [Fact]
    public async Task A_run_that_crashes_half_way_resumes_at_its_checkpoint_without_skipping_anyone()
    {
        await using var mall = await MallFixture.StartAsync();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => mall.NewCustomerAsync()));
        var crashing = new CrashingQueries<Customer>(mall.Get<IDocumentCollection<Customer>>(), crashOnQuery: 2);

        await Assert.ThrowsAsync<IOException>(() => Service(mall, crashing).RunAsync(CancellationToken.None));
        var resumed = await Service(mall).RunAsync(CancellationToken.None);

        Assert.NotNull(resumed.CompletedAt);
        Assert.Equal(3, resumed.Pages); // 1 page before the crash, 2 after: the crashed page was not counted twice
        Assert.Equal(8, resumed.Processed);
        Assert.Equal(8, resumed.Sizes["Potential"]);
        Assert.All(await AllCustomersAsync(mall), c => Assert.Equal(CustomerSegment.Potential, c.Segment!.Segment));
    }
}
