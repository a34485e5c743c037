using Mall.Application.Administration;
using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// The abuse limits race on two app instances (two service providers over the same storage): whatever
/// instance a request lands on, the storage-backed limit admits exactly what it allows.
/// </summary>
public sealed class LimitRaceTests
{
    [Fact]
    public async Task Concurrent_wrong_passwords_on_two_instances_reach_the_password_check_five_times()
    {
        await using var mall = await MallFixture.StartAsync();
        await using var other = mall.Environment.BuildServices();
        var instances = new[] { mall.Get<AdminAuthService>(), other.GetRequiredService<AdminAuthService>() };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 60).Select(i => Task.Run(() =>
            OutcomeAsync(() => instances[i % 2].LoginAsync(new AdminLoginRequest("admin", "wrong"), $"198.51.100.{i}", CancellationToken.None)))));

        Assert.Equal(5, outcomes.Count(o => o == ErrorCode.InvalidCredentials));
        Assert.Equal(55, outcomes.Count(o => o == ErrorCode.TooManyRequests));
        var audit = await mall.Get<AdminAuthService>().ListSignInsAsync(null, 100, CancellationToken.None);
        Assert.Equal(60, audit.Items.Count);
        Assert.Equal(55, audit.Items.Count(i => i.Outcome == SignInOutcome.Throttled));
    }

    [Fact]
    public async Task A_lockout_doubles_with_each_failure_ends_after_its_backoff_and_a_success_clears_it()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var admins = mall.Get<AdminAuthService>();
        var password = mall.Environment.AdminPassword;
        Task<ErrorCode?> SignIn(string secret) => OutcomeAsync(() => admins.LoginAsync(new AdminLoginRequest("admin", secret), "192.0.2.1", CancellationToken.None));

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(ErrorCode.InvalidCredentials, await SignIn("wrong"));
        }

        var locked = await Assert.ThrowsAsync<TooManyRequestsException>(() => admins.LoginAsync(new AdminLoginRequest("admin", password), "192.0.2.1", CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(60), locked.RetryAfter);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal(ErrorCode.InvalidCredentials, await SignIn("wrong"));
        var longer = await Assert.ThrowsAsync<TooManyRequestsException>(() => admins.LoginAsync(new AdminLoginRequest("admin", password), "192.0.2.1", CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(120), longer.RetryAfter);

        time.Advance(TimeSpan.FromSeconds(120));
        Assert.Null(await SignIn(password));
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(ErrorCode.InvalidCredentials, await SignIn("wrong"));
        }

        Assert.Null(await SignIn(password));
    }

    [Fact]
    public async Task Concurrent_logins_from_one_address_on_two_instances_admit_exactly_the_limit()
    {
        // The clock stands still, so no login is admitted by the rate refilling while the race runs.
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var other = mall.Environment.BuildServices();
        var instances = new[] { mall.Get<CustomerService>(), other.GetRequiredService<CustomerService>() };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 50).Select(i => Task.Run(() =>
            OutcomeAsync(() => instances[i % 2].LoginAsync(new LoginRequest($"bulk{Guid.NewGuid():N}#{i}", null), "10.200.0.1", CancellationToken.None)))));

        Assert.Equal(30, outcomes.Count(o => o is null));
        Assert.Equal(20, outcomes.Count(o => o == ErrorCode.TooManyRequests));
    }

    [Fact]
    public async Task Concurrent_orders_on_two_instances_never_exceed_the_unpaid_cap_and_a_slot_comes_back_when_an_order_ends()
    {
        await using var mall = await MallFixture.StartAsync(overrides: new Dictionary<string, string?>
        {
            ["Limits:UnpaidOrdersPerCustomer"] = "3",
            ["Limits:OrdersPerCustomerPerMinute"] = "1000",
        });
        await using var other = mall.Environment.BuildServices();
        var product = await mall.CreateProductAsync(1000, null, 100);
        var sku = product.Skus[0].Id;
        var customer = await mall.NewCustomerAsync();
        var instances = new[] { mall.Get<CheckoutService>(), other.GetRequiredService<CheckoutService>() };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            OutcomeAsync(() => instances[i % 2].CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 1), CancellationToken.None)))));

        Assert.Equal(3, outcomes.Count(o => o is null));
        Assert.Equal(9, outcomes.Count(o => o == ErrorCode.TooManyUnpaidOrders));
        Assert.Equal(97, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[sku]);

        var orders = await mall.Get<OrderService>().ListMineAsync(customer, OrderStatus.PendingPayment, null, 10, CancellationToken.None);
        await mall.Get<OrderService>().CancelAsync(customer, orders.Items[0].Id, CancellationToken.None);
        await mall.PayAsync(customer, orders.Items[1].Id);
        await mall.Events.DrainAsync();

        foreach (var _ in Enumerable.Range(0, 2))
        {
            Assert.Null(await OutcomeAsync(() => mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 1), CancellationToken.None)));
        }

        Assert.Equal(ErrorCode.TooManyUnpaidOrders, await OutcomeAsync(() => mall.Get<CheckoutService>().CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(sku, 1), CancellationToken.None)));
    }

    [Fact]
    public async Task Concurrent_orders_on_two_instances_never_exceed_the_creation_rate()
    {
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), new Dictionary<string, string?>
        {
            ["Limits:UnpaidOrdersPerCustomer"] = "100",
            ["Limits:OrdersPerCustomerPerMinute"] = "4",
        });
        await using var other = mall.Environment.BuildServices();
        var product = await mall.CreateProductAsync(1000, null, 100);
        var customer = await mall.NewCustomerAsync();
        var instances = new[] { mall.Get<CheckoutService>(), other.GetRequiredService<CheckoutService>() };

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            OutcomeAsync(() => instances[i % 2].CreateAsync(customer, Guid.NewGuid().ToString(), MallFixture.Buy(product.Skus[0].Id, 1), CancellationToken.None)))));

        Assert.Equal(4, outcomes.Count(o => o is null));
        Assert.Equal(8, outcomes.Count(o => o == ErrorCode.TooManyRequests));
        Assert.Equal(96, (await mall.Get<StockService>().AvailableAsync(product.Id, CancellationToken.None))[product.Skus[0].Id]);
    }

    /// <summary>Null when the call succeeded, else the refusal's code.</summary>
    private static async Task<ErrorCode?> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (DomainException exception)
        {
            return exception.Code;
        }
    }
}
