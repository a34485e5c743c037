using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Mall.Domain.Presale;
using Mall.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Presale;

/// <summary>
/// A presale ships its goods once, with its paid balance: the deposit order never ships, the customer
/// cannot take the deposit back outside the campaign's rule, and when the presale ends the deposit
/// order is concluded before anything else (a forfeited unit goes back on sale only then).
/// </summary>
public sealed class PresaleDepositTests
{
    private static readonly ShipRequest Waybill = new("SF", "SF1234567890");

    [Fact]
    public async Task A_deposit_never_ships_and_the_paid_balance_ships_the_presale_once()
    {
        await using var presale = await PresaleAsync();
        var ship = presale.Mall.Get<OrderService>();
        Assert.Equal(ErrorCode.InvalidOrderState, (await Assert.ThrowsAsync<DomainException>(() => ship.ShipAsync(presale.DepositOrderId, Waybill, CancellationToken.None))).Code);

        var balanceOrderId = await presale.PayBalanceAsync();

        Assert.Equal(PresaleStatus.BalancePaid, await presale.Service.StatusAsync(presale.ReservationId, CancellationToken.None));
        Assert.Equal(ErrorCode.InvalidOrderState, (await Assert.ThrowsAsync<DomainException>(() => ship.ShipAsync(presale.DepositOrderId, Waybill, CancellationToken.None))).Code);
        Assert.Equal(OrderStatus.Shipped, (await ship.ShipAsync(balanceOrderId, Waybill, CancellationToken.None)).Status);
        var deposit = await presale.OrderAsync(presale.DepositOrderId);
        Assert.Equal(OrderStatus.Completed, deposit.Status);
        Assert.Null(deposit.Shipment);
        await presale.AssertNotRefundableAsync(presale.DepositOrderId);
        Assert.Equal(4, await presale.StockAsync());
    }

    [Fact]
    public async Task A_forfeited_deposit_is_concluded_and_its_unit_goes_back_on_sale_once()
    {
        await using var presale = await PresaleAsync();
        await presale.AssertNotRefundableAsync(presale.DepositOrderId);
        Assert.Equal(4, await presale.StockAsync());

        presale.Time.Advance(TimeSpan.FromHours(2));
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => presale.Service.CloseWindowAsync(presale.ReservationId, CancellationToken.None))));
        await presale.Service.CloseWindowAsync(presale.ReservationId, CancellationToken.None);

        Assert.Equal(PresaleStatus.Forfeited, await presale.Service.StatusAsync(presale.ReservationId, CancellationToken.None));
        var deposit = await presale.OrderAsync(presale.DepositOrderId);
        Assert.Equal(OrderStatus.Completed, deposit.Status);
        Assert.Equal(0, deposit.RefundedFen);
        Assert.Equal(ErrorCode.InvalidOrderState, (await Assert.ThrowsAsync<DomainException>(() => presale.Mall.Get<OrderService>().ShipAsync(presale.DepositOrderId, Waybill, CancellationToken.None))).Code);
        await presale.AssertNotRefundableAsync(presale.DepositOrderId);
        Assert.Equal(5, await presale.StockAsync());
    }

    [Fact]
    public async Task Refunding_the_paid_balance_in_full_refunds_the_deposit_too_and_returns_the_unit_once()
    {
        await using var presale = await PresaleAsync();
        var balanceOrderId = await presale.PayBalanceAsync();
        var refunds = presale.Mall.Get<RefundService>();

        var requested = await refunds.RequestAsync(presale.CustomerId, balanceOrderId, new RefundRequestBody("不要了", null, null), CancellationToken.None);
        await refunds.ApproveAsync(balanceOrderId, Assert.Single(requested.Refunds).Id, new ApproveRefundRequest(null, null), CancellationToken.None);
        await presale.SettleRefundsAsync(balanceOrderId);
        await presale.Events.DrainAsync();
        await presale.SettleRefundsAsync(presale.DepositOrderId);

        Assert.Equal(OrderStatus.Refunded, (await presale.OrderAsync(balanceOrderId)).Status);
        Assert.Equal(OrderStatus.Refunded, (await presale.OrderAsync(presale.DepositOrderId)).Status);
        Assert.Equal(5, await presale.StockAsync());
    }

    /// <summary>A paid deposit: stock 5, deposit window open for an hour, then the balance window for an hour.</summary>
    private static async Task<PaidDeposit> PresaleAsync()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var mall = await MallFixture.StartAsync(time);
        var product = await mall.CreateProductAsync(39_900, null, 5);
        var service = mall.Get<PresaleService>();
        var now = time.GetUtcNow();
        var campaign = await service.CreateCampaignAsync(
            new PresaleCampaignRequest { SkuId = product.Skus[0].Id, DepositFen = 5_000, DepositValueFen = 10_000, FinalPriceFen = 39_900, DepositStartsAt = now.AddMinutes(-1), DepositEndsAt = now.AddHours(1), BalanceStartsAt = now.AddHours(1), BalanceEndsAt = now.AddHours(2), DepositRefundable = false },
            CancellationToken.None);
        var customer = await mall.NewCustomerAsync();
        var reserved = await service.ReserveAsync(customer, Guid.NewGuid().ToString(), new ReservePresaleRequest(campaign.Id, MallFixture.Buy(campaign.SkuId, 1).Address), CancellationToken.None);
        await mall.PayAsync(customer, reserved.Order.Id);
        var events = EventPump.For(mall.Services, new RecordingWorkflows());
        await events.DrainAsync();
        return new PaidDeposit(mall, time, events, service, product.Id, campaign.SkuId, customer, reserved.Presale.Id, reserved.Order.Id);
    }

    private sealed record PaidDeposit(MallFixture Mall, FakeTimeProvider Time, EventPump Events, PresaleService Service, string ProductId, string SkuId, string CustomerId, string ReservationId, string DepositOrderId) : IAsyncDisposable
    {
        public async Task<string> PayBalanceAsync()
        {
            Time.Advance(TimeSpan.FromHours(1));
            var balance = await Service.OrderBalanceAsync(CustomerId, ReservationId, new BalanceRequest(MallFixture.Buy(SkuId, 1).Address), CancellationToken.None);
            await Mall.PayAsync(CustomerId, balance.Order.Id);
            await Events.DrainAsync();
            return balance.Order.Id;
        }

        /// <summary>Lets the sandbox's clock run until WeChat has completed the order's refunds, and the mall has seen it.</summary>
        public Task SettleRefundsAsync(string orderId) => MallFixture.WaitUntilAsync(async () =>
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            var order = await OrderAsync(orderId);
            return order.Refunds.Count > 0 && (await Mall.Get<RefundService>().CheckAsync(orderId, CancellationToken.None)).Outcome == DueWorkOutcome.Done
                && (await OrderAsync(orderId)).Refunds.All(r => r.Status == RefundStatus.Succeeded);
        });

        public Task<Order> OrderAsync(string orderId) => Mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);

        public async Task<long> StockAsync() => (await Mall.Get<StockService>().AvailableAsync(ProductId, CancellationToken.None))[SkuId];

        public async Task AssertNotRefundableAsync(string orderId)
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() =>
                Mall.Get<RefundService>().RequestAsync(CustomerId, orderId, new RefundRequestBody("退定金", null, null), CancellationToken.None));
            Assert.Equal(ErrorCode.RefundNotAllowed, refused.Code);
        }

        public ValueTask DisposeAsync() => Mall.DisposeAsync();
    }
}
