using Mall.Application.Platform;
using Mall.Functions.Campaigns;
using Mall.Functions.CardCollecting;
using Mall.Functions.Customers;
using Mall.Functions.Orders;
using Mall.Functions.Payments;
using Mall.Functions.Sharing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.IntegrationTests.Platform;

public sealed class DueWorkCoverageTests
{
    /// <summary>
    /// Soak with flash sales (docs/benchmarks.md, Soak, finding 4): a flash sale's close was scheduled and had a
    /// handler, but no timer ran its kind, so a sale that ran to its end never closed and its unsold units stayed in it.
    /// </summary>
    [Fact]
    public async Task Every_kind_of_due_work_the_mall_can_handle_is_run_by_a_timer()
    {
        await using var mall = await MallFixture.StartAsync();
        var handled = mall.Services.GetServices<IDueWorkHandler>().Select(h => h.Kind).ToHashSet();
        var run = OrderTimers.Kinds.Concat(PaymentTimers.Kinds).Concat(CampaignTimers.Kinds).Concat(CardCollectingTimers.Kinds).Concat(CustomerTimers.Kinds).Concat(SharingTimers.Kinds).ToHashSet();

        Assert.True(handled.SetEquals(run), $"handled but run by no timer: {string.Join(", ", handled.Except(run))}; run but handled by nothing: {string.Join(", ", run.Except(handled))}");
    }
}
