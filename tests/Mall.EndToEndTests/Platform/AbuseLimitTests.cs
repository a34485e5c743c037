using System.Net;
using System.Net.Http.Json;

namespace Mall.EndToEndTests.Platform;

/// <summary>The reproductions over HTTP: guessing operator passwords, logging in in bulk, holding stock with unpaid orders.</summary>
[Collection(nameof(LocalMall))]
public sealed class AbuseLimitTests(LocalMall mall)
{
    [Fact]
    public async Task A_hundred_wrong_operator_passwords_lock_the_account_and_then_the_right_one_waits_too()
    {
        // From a hundred addresses, so it is the account's limit that holds.
        var attempts = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => SignInAsync(LocalMall.LockableOperator, "wrong password", $"198.51.100.{i}")));

        Assert.Equal(5, attempts.Count(a => a.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(95, attempts.Count(a => a.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.All(attempts.Where(a => a.StatusCode == HttpStatusCode.TooManyRequests), a => Assert.True(a.Headers.RetryAfter?.Delta > TimeSpan.Zero));
        using var right = await SignInAsync(LocalMall.LockableOperator, LocalMall.LockableOperatorPassword, "198.51.100.200");
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.True(right.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        foreach (var attempt in attempts)
        {
            attempt.Dispose();
        }

        using var admin = await mall.AdminAsync();
        var audit = (await admin.GetAsync("manage/sign-ins?pageSize=100")).Body.GetProperty("items").EnumerateArray()
            .Where(i => i.GetProperty("username").GetString() == LocalMall.LockableOperator).ToList();
        Assert.Equal("throttled", audit[0].GetProperty("outcome").GetString());
        Assert.Equal("198.51.100.200", audit[0].GetProperty("clientAddress").GetString());
    }

    [Fact]
    public async Task Wrong_passwords_from_one_address_lock_that_address_out_of_every_account()
    {
        const string address = "203.0.113.7";
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await SignInAsync($"guess{i}", "wrong password", address);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await SignInAsync(mall.Environment.AdminUser, mall.Environment.AdminPassword, address);
        using var elsewhere = await SignInAsync(mall.Environment.AdminUser, mall.Environment.AdminPassword, "203.0.113.8");

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
    }

    [Fact]
    public async Task Customer_logins_are_limited_per_client_address()
    {
        const string address = "192.0.2.77";
        var started = DateTime.UtcNow;
        var logins = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => CustomerLoginAsync($"bulk{Guid.NewGuid():N}#{i}", address)));
        var elapsed = DateTime.UtcNow - started;
        using var elsewhere = await CustomerLoginAsync($"other{Guid.NewGuid():N}#1", "192.0.2.78");

        // 30 at once, and one more for every 2 s the burst took on a busy machine (the exact count is raced in LimitRaceTests).
        var admitted = logins.Count(l => l.StatusCode == HttpStatusCode.OK);
        Assert.InRange(admitted, 30, 30 + (int)(elapsed.TotalSeconds / 2) + 1);
        Assert.All(logins.Where(l => l.StatusCode != HttpStatusCode.OK), l =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, l.StatusCode);
            Assert.True(l.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        });
        Assert.Equal(HttpStatusCode.OK, elsewhere.StatusCode);
        foreach (var login in logins)
        {
            login.Dispose();
        }
    }

    [Fact]
    public async Task One_customer_cannot_hold_stock_with_unlimited_unpaid_orders()
    {
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 100);
        using var customer = await mall.NewCustomerAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            statuses.Add((await customer.PostAsync("orders", new { items = new[] { new { skuId, quantity = 1 } }, address = LocalMall.Address() }, idempotencyKey: Guid.NewGuid().ToString())).Status);
        }

        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Conflict));
        using var storefront = mall.Anonymous();
        var product = await storefront.GetAsync($"products/{productId}");
        Assert.Equal(95, product.Body.GetProperty("skus")[0].GetProperty("stock").GetInt64());
    }

    [Fact]
    public async Task Order_creation_beyond_the_rate_answers_429_with_retry_after()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 100, stock: 0);
        using var customer = await mall.NewCustomerAsync();

        // Out of stock each time, yet each attempt is an order creation the rate counts: 10 at once, then one
        // per 6 s, so on a busy machine a few more may pass before the limit answers.
        var responses = new List<HttpResponseMessage>();
        while (responses.Count < 30 && responses.LastOrDefault()?.StatusCode != HttpStatusCode.TooManyRequests)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = JsonContent.Create(new { items = new[] { new { skuId, quantity = 1 } }, address = LocalMall.Address() }) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            responses.Add(await customer.Http.SendAsync(request));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, responses[^1].StatusCode);
        Assert.True(responses.Count > 10, $"Refused after {responses.Count - 1} orders.");
        Assert.All(responses.SkipLast(1), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        Assert.True(responses[^1].Headers.RetryAfter?.Delta > TimeSpan.Zero);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private Task<HttpResponseMessage> SignInAsync(string username, string password, string clientAddress) =>
        PostFromAsync("manage/auth/login", new { username, password }, clientAddress);

    private Task<HttpResponseMessage> CustomerLoginAsync(string code, string clientAddress) => PostFromAsync("auth/login", new { code }, clientAddress);

    private async Task<HttpResponseMessage> PostFromAsync(string path, object body, string clientAddress)
    {
        using var client = mall.Anonymous();
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Forwarded-For", clientAddress);
        return await client.Http.SendAsync(request);
    }
}
