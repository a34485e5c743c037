using System.Collections.Concurrent;
using Mall.Application.Customers;
using Mall.Application.Distribution;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Domain.Distribution;
using Mall.Infrastructure.Workflows;
using Mall.Testing;
using Microsoft.DurableTask.Client;

namespace Mall.IntegrationTests.Distribution;

/// <summary>The settlement orchestration on the in-process durable engine, with the real activities and events.</summary>
public sealed class CommissionSettlementTests
{
    [Fact]
    public async Task Commission_settles_once_a_refund_request_open_at_completion_is_rejected()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?> { ["Distribution:SettleAfterCompletionSeconds"] = "1" });
        var distribution = mall.Get<DistributionService>();
        var syncedAt = new ConcurrentQueue<DateTimeOffset>();
        await using var engine = await CommissionEngine.StartAsync(
            orderId => distribution.AccrueAsync(orderId, CancellationToken.None),
            async orderId =>
            {
                var progress = await distribution.SyncAsync(orderId, CancellationToken.None);
                syncedAt.Enqueue(DateTimeOffset.UtcNow);
                return progress;
            },
            orderId => distribution.SettleAsync(orderId, CancellationToken.None));
        var events = EventPump.For(mall.Services, new DurableWorkflowClient(engine.Client));

        var promoter = await mall.NewCustomerAsync();
        await distribution.ApplyAsync(promoter, CancellationToken.None);
        await distribution.DecidePromoterAsync(promoter, approve: true, CancellationToken.None);
        var buyer = await mall.NewCustomerAsync((await mall.Get<CustomerService>().GetAsync(promoter, CancellationToken.None)).InviteCode);
        var product = await mall.CreateProductAsync(5_000, null, 10);
        var sku = product.Skus[0].Id;
        var order = (await mall.Get<CheckoutService>().CreateAsync(buyer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 2), CancellationToken.None)).Order;
        await mall.PayAsync(buyer, order.Id);
        await events.DrainAsync();
        var orders = mall.Get<OrderService>();
        await orders.ShipAsync(order.Id, new ShipRequest("SF", "SF0000001"), CancellationToken.None);

        // The buyer asks for a refund and then confirms receipt: the order completes with the request open.
        var refunds = mall.Get<RefundService>();
        var requested = await refunds.RequestAsync(buyer, order.Id, new RefundRequestBody("dented", [new OrderItemRequest(sku, 1)], null), CancellationToken.None);
        var completedAt = DateTimeOffset.UtcNow;
        await orders.ConfirmReceiptAsync(buyer, order.Id, CancellationToken.None);
        await events.DrainAsync();
        await MallFixture.WaitUntilAsync(() => Task.FromResult(syncedAt.Any(at => at > completedAt)));

        await refunds.RejectAsync(order.Id, requested.Refunds.Single().Id, new RejectRefundRequest("not dented"), CancellationToken.None);
        await events.DrainAsync();

        var instanceId = CommissionSettlementOrchestrator.InstanceId(order.Id);
        var done = await CompletionWithinAsync(engine.Client, instanceId, TimeSpan.FromSeconds(60));
        await events.DrainAsync();
        var balances = await distribution.BalancesAsync(promoter, CancellationToken.None);
        Assert.True(
            done?.RuntimeStatus == OrchestrationRuntimeStatus.Completed,
            $"Settlement still {(await engine.Client.GetInstanceAsync(instanceId))?.RuntimeStatus} a minute after the refund was rejected: pending {balances.PendingFen}, settled {balances.SettledFen}");
        Assert.Equal(CommissionStatus.Settled, done!.ReadOutputAs<CommissionProgress>()!.Status);
        Assert.Equal((0L, 4_000L), (balances.PendingFen, balances.SettledFen));
    }

    private static async Task<OrchestrationMetadata?> CompletionWithinAsync(DurableTaskClient client, string instanceId, TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            return await client.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
