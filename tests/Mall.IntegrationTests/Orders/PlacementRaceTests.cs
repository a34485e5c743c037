using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Orders;

namespace Mall.IntegrationTests.Orders;

/// <summary>
/// Requests sharing an Idempotency-Key race to place one order. A slower one may take its steps after the order
/// moved on and gave them back (a given-back step leaves no receipt, so it can be taken again): it reads the
/// order after its last step and gives back again what the order no longer holds (found by review).
/// </summary>
public sealed class PlacementRaceTests
{
    [Fact]
    public async Task A_late_duplicate_placement_step_does_not_take_an_unpaid_slot_the_paid_order_gave_back()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(1300, null, 50);
        var customer = await mall.NewCustomerAsync();
        var key = Guid.NewGuid().ToString();
        var checkout = mall.Get<CheckoutService>();
        var slots = CounterKeys.UnpaidOrders(customer);
        var counters = mall.Get<CounterStore>();

        // The customer's double tap: two requests with one key race to place the order; one of them opens it.
        var placed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Attempt(() => checkout.CreateAsync(customer, key, MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None))));
        var orderId = placed.OfType<CheckoutResult>().First().Order.Id;
        await mall.PayAsync(customer, orderId);
        await mall.Events.DrainAsync();
        Assert.Equal(0, await counters.ValueAsync(slots, CancellationToken.None));

        // The slower request is still taking its steps (it read the order while it was reserving): its last
        // step, the unpaid-order slot, runs now — after the payment gave the slot back.
        var order = await mall.Get<OrderStore>().GetAsync(orderId, CancellationToken.None);
        await mall.Get<OrderPlacement>().TakeAsync(order with { Status = OrderStatus.Reserving }, CancellationToken.None);
        await mall.Events.DrainAsync();

        Assert.Equal(0, await counters.ValueAsync(slots, CancellationToken.None));
    }

    private static async Task<object?> Attempt(Func<Task<CheckoutResult>> create)
    {
        try
        {
            return await create();
        }
        catch (Mall.Domain.Common.DomainException exception)
        {
            return exception;
        }
    }
}
