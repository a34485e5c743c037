using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;
using Mall.Testing;

namespace Mall.IntegrationTests.Orders;

/// <summary>
/// Two requests with one Idempotency-Key, one held at an exact point while the other overtakes it (issue 8,
/// item 9): a request whose reservation fails must never take back what the other request opened, and a
/// placement that is withdrawn gives back everything any of its requests took.
/// </summary>
public sealed class CheckoutCompensationTests
{
    private const string Key = "same-key-0001";

    [Fact]
    public async Task A_refused_placement_keeps_its_key_answering_the_refusal_and_a_corrected_request_takes_a_new_key()
    {
        await using var mall = await MallFixture.StartAsync();
        var product = await mall.CreateProductAsync(1000, purchaseLimit: 1, 10);
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();

        Assert.Equal(ErrorCode.PurchaseLimitExceeded, (await OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(product.Skus[0].Id, 2), CancellationToken.None))).Failure);
        Assert.Equal(ErrorCode.PurchaseLimitExceeded, (await OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(product.Skus[0].Id, 2), CancellationToken.None))).Failure);
        Assert.Equal(ErrorCode.IdempotencyKeyReused, (await OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None))).Failure);

        var placed = await checkout.CreateAsync(customer, "corrected-key-0001", MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None);
        Assert.True(placed.Created);
        var mine = await mall.Get<OrderService>().ListMineAsync(customer, null, null, 10, CancellationToken.None);
        Assert.Equal([placed.Order.Id], mine.Items.Select(o => o.Id));
        await Assert.ThrowsAsync<DomainException>(() => mall.Get<OrderService>().GetMineAsync(customer, Ids.Derive("O", customer, Key), CancellationToken.None));
    }

    [Theory]
    [InlineData(ErrorCode.Busy)]
    [InlineData(ErrorCode.OutOfStock)]
    public async Task A_retry_whose_reservation_fails_leaves_the_order_another_request_opened(ErrorCode failure)
    {
        var firstInserted = new TaskCompletionSource();
        var retryReadReserving = new TaskCompletionSource();
        var firstDone = new TaskCompletionSource();
        var failedOnce = 0;
        await using var mall = await MallFixture.StartAsync(configureServices: services => services
            .Script<Order>(orders =>
            {
                orders.AfterWrite = (actor, _) =>
                {
                    if (actor == "first")
                    {
                        firstInserted.TrySetResult();
                    }

                    return Task.CompletedTask;
                };
                // The first request opens the order only once the retry has read it as still reserving ...
                orders.BeforeWrite = async (actor, _) =>
                {
                    if (actor == "first" && firstInserted.Task.IsCompleted)
                    {
                        await retryReadReserving.Task;
                    }
                };
                // ... and the retry goes on with what it read only once the first request has answered.
                orders.AfterFind = async (actor, found) =>
                {
                    if (actor == "retry" && found?.Value.Status == OrderStatus.Reserving)
                    {
                        retryReadReserving.TrySetResult();
                        await firstDone.Task;
                    }
                };
            })
            // The retry's reservation fails at its first counter (a contended counter is Busy; a refusal is, say, OUT_OF_STOCK).
            .Script<GuardedCounter>(counters => counters.BeforeFind = (actor, _) =>
                actor == "retry" && Interlocked.Exchange(ref failedOnce, 1) == 0 ? throw new DomainException(failure, "Forced for the test.") : Task.CompletedTask));
        var product = await mall.CreateProductAsync(1000, null, 10);
        var sku = product.Skus[0].Id;
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();

        var first = ScriptedCollections.RunAs("first", async () =>
        {
            try
            {
                return await checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None);
            }
            finally
            {
                firstDone.TrySetResult();
            }
        });
        await firstInserted.Task;
        var retry = ScriptedCollections.RunAs("retry", () => OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None)));
        var opened = await first;
        var (retried, retryFailure) = await retry;

        Assert.Equal(OrderStatus.PendingPayment, opened.Order.Status);
        Assert.True(retried?.Order.Id == opened.Order.Id || retryFailure == ErrorCode.Busy, $"The retry answered {retryFailure}.");
        Assert.Equal(OrderStatus.PendingPayment, (await mall.Get<OrderStore>().FindAsync(opened.Order.Id, CancellationToken.None))?.Status);
        Assert.Equal(8, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
        var replay = await checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None);
        Assert.Equal((opened.Order.Id, false), (replay.Order.Id, replay.Created));
    }

    [Fact]
    public async Task A_request_that_reserves_after_its_placement_was_withdrawn_gives_everything_back()
    {
        var slowInserted = new TaskCompletionSource();
        var refusedDone = new TaskCompletionSource();
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        var refusedOnce = 0;
        await using var mall = await MallFixture.StartAsync(time, configureServices: services => services
            .Script<Order>(orders => orders.AfterWrite = (actor, _) =>
            {
                if (actor == "slow")
                {
                    slowInserted.TrySetResult();
                }

                return Task.CompletedTask;
            })
            .Script<GuardedCounter>(counters => counters.BeforeFind = async (actor, _) =>
            {
                // The refused request is turned away at its first counter; the slow one reserves only after that.
                if (actor == "refused" && Interlocked.Exchange(ref refusedOnce, 1) == 0)
                {
                    throw new DomainException(ErrorCode.OutOfStock, "Forced for the test.");
                }

                if (actor == "slow")
                {
                    await refusedDone.Task;
                }
            }));
        var product = await mall.CreateProductAsync(1000, null, 10);
        var sku = product.Skus[0].Id;
        var customer = await mall.NewCustomerAsync();
        var checkout = mall.Get<CheckoutService>();

        var slow = ScriptedCollections.RunAs("slow", () => OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None)));
        await slowInserted.Task;
        var refused = await ScriptedCollections.RunAs("refused", async () =>
        {
            try
            {
                return await OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None));
            }
            finally
            {
                refusedDone.TrySetResult();
            }
        });
        var slowOutcome = await slow;

        Assert.Equal(ErrorCode.OutOfStock, refused.Failure);
        Assert.Equal(ErrorCode.OutOfStock, slowOutcome.Failure);
        Assert.Equal(10, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
        Assert.Equal(0, await mall.Get<CounterStore>().ValueAsync(CounterKeys.UnpaidOrders(customer), CancellationToken.None));
        // The key keeps answering the same refusal (its expiry only gives back, again); a new key places.
        time.Advance(TimeSpan.FromMinutes(31));
        await mall.Get<Mall.Infrastructure.Scheduling.DueWorkProcessor>().RunAsync([OrderWork.Expiry], CancellationToken.None);
        Assert.Equal(ErrorCode.OutOfStock, (await OutcomeAsync(() => checkout.CreateAsync(customer, Key, MallFixture.Buy(sku, 2), CancellationToken.None))).Failure);
        Assert.Equal(10, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
        var placed = await checkout.CreateAsync(customer, "another-key-0001", MallFixture.Buy(sku, 2), CancellationToken.None);
        Assert.Equal(OrderStatus.PendingPayment, placed.Order.Status);
        Assert.Equal(8, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);
    }

    private static async Task<(CheckoutResult? Result, ErrorCode? Failure)> OutcomeAsync(Func<Task<CheckoutResult>> call)
    {
        try
        {
            return (await call(), null);
        }
        catch (DomainException exception)
        {
            return (null, exception.Code);
        }
    }
}
