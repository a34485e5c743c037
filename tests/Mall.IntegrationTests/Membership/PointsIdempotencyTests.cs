using Mall.Application.Membership;
using Mall.Application.Platform;
using Mall.Domain.Customers;

namespace Mall.IntegrationTests.Membership;

/// <summary>A points change (a refund's points, an order's earned points) is applied once for the whole life of its key.</summary>
public sealed class PointsIdempotencyTests
{
    private static async Task<long> BalanceAsync(MallFixture mall, string customerId) =>
        (await mall.Get<IDocumentCollection<Customer>>().FindAsync(DocumentKey.Single(customerId), CancellationToken.None))!.Value.PointsBalance;

    [Fact]
    public async Task A_points_change_repeated_after_a_hundred_others_is_not_applied_again()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();
        var membership = mall.Get<MembershipService>();
        await membership.ReturnRefundedPointsAsync(customer, "O1R-first", "O1", 50, CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            await membership.ReturnRefundedPointsAsync(customer, $"O2R{i}", "O2", 1, CancellationToken.None);
        }

        // A refund notification redelivered weeks later, or a scheduled check of the same refund.
        await membership.ReturnRefundedPointsAsync(customer, "O1R-first", "O1", 50, CancellationToken.None);

        Assert.Equal(150, await BalanceAsync(mall, customer));
    }

    [Fact]
    public async Task Concurrent_repeats_of_one_points_change_apply_it_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();
        var membership = mall.Get<MembershipService>();
        for (var round = 1; round <= 12; round++)
        {
            var refundId = $"O{round}R1";
            await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => membership.ReturnRefundedPointsAsync(customer, refundId, $"O{round}", 10, CancellationToken.None))));

            Assert.Equal(10 * round, await BalanceAsync(mall, customer));
        }
    }
}
