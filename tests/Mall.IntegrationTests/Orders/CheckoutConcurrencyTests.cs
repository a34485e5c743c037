using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.Orders;

namespace Mall.IntegrationTests.Orders;

/// <summary>Races against real Azurite: stock and purchase limits hold under concurrent orders.</summary>
public sealed class CheckoutConcurrencyTests
{
    [Fact]
    public async Task Fifty_concurrent_orders_for_ten_units_sell_exactly_ten()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(1000, null, 10);
        var sku = product.Skus[0].Id;
        var customers = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => mall.NewCustomerAsync()));
        var checkout = mall.Get<CheckoutService>();

        var attempts = await Task.WhenAll(customers.Select(customer => Task.Run(async () =>
        {
            try
            {
                return (await checkout.CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 1), CancellationToken.None)).Order.Status.ToString();
            }
            catch (DomainException exception)
            {
                return exception.Code.ToString();
            }
        })));

        Assert.Equal(10, attempts.Count(a => a == nameof(OrderStatus.PendingPayment)));
        Assert.Equal(40, attempts.Count(a => a == nameof(ErrorCode.OutOfStock)));
        Assert.Equal(0, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
    }

    [Fact]
    public async Task Concurrent_retries_with_one_idempotency_key_create_one_order()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(1000, null, 10);
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();
        var request = MallFixture.Buy(product.Skus[0].Id, 2);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => checkout.CreateAsync(customer, "retry-key-0001", request, CancellationToken.None))));

        Assert.Single(results.Select(r => r.Order.Id).Distinct());
        Assert.Single(results, r => r.Created);
        Assert.Equal(8, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[product.Skus[0].Id]);
        var reused = await Assert.ThrowsAsync<DomainException>(() => checkout.CreateAsync(customer, "retry-key-0001", MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None));
        Assert.Equal(ErrorCode.IdempotencyKeyReused, reused.Code);
    }

    [Fact]
    public async Task Concurrent_orders_never_exceed_the_purchase_limit()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(1000, purchaseLimit: 2, 100);
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            try
            {
                await checkout.CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None);
                return true;
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.PurchaseLimitExceeded)
            {
                return false;
            }
        })));

        Assert.Equal(2, attempts.Count(a => a));
        Assert.Equal(98, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[product.Skus[0].Id]);
        Assert.Equal(2, await mall.Get<StockService>().PurchasedAsync(customer, product.Id, CancellationToken.None));
    }
}
