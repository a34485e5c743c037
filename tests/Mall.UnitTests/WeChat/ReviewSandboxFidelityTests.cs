using System.Net;
using System.Text;
using Mall.Application.WeChat;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// Review findings: places where the sandbox answers differently from WeChat (so code that passes against it can
/// fail in production), and where the mall's WeChat clients read an answer as more than it says.
/// </summary>
public sealed class ReviewSandboxFidelityTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private WeChatSandbox sandbox = null!;

    public async Task InitializeAsync() =>
        sandbox = await WeChatSandbox.StartAsync(SandboxFixture.Options with { TimeProvider = time }, CancellationToken.None);

    public async Task DisposeAsync() => await sandbox.DisposeAsync();

    /// <summary>
    /// WeChatPayClient.Interpret maps every 404 to NotFound before looking at the code, and reads error answers
    /// without a signature. A 404 that is not WeChat Pay's ORDER_NOT_EXIST (a gateway's HTML page, a path the API
    /// does not serve: the sandbox's own NOT_FOUND) makes 关单 "Rejected", which OrderService.TryCloseAtWeChatAsync takes
    /// for "nothing can be paid there" and closes the order locally, giving its stock back.
    /// </summary>
    [Fact]
    public async Task An_unsigned_404_that_is_not_ORDER_NOT_EXIST_is_read_as_no_such_order()
    {
        await using var mall = await MallSide.StartAsync(sandbox, services: services =>
            services.AddHttpClient<WeChatPayClient>().AddHttpMessageHandler(() => new GatewayNotFound()));

        var query = await Record.ExceptionAsync(() => mall.Pay.QueryTransactionAsync("T" + WeChatPaySignatures.CreateNonce(20), CancellationToken.None));
        var close = await Record.ExceptionAsync(() => mall.Pay.CloseTransactionAsync("T" + WeChatPaySignatures.CreateNonce(20), CancellationToken.None));

        Assert.Equal(WeChatFailure.Unavailable, Assert.IsType<WeChatException>(query).Failure);
        Assert.Equal(WeChatFailure.Unavailable, Assert.IsType<WeChatException>(close).Failure);
    }

    /// <summary>A front end's own 404 page in place of WeChat Pay's answer: unsigned, not JSON.</summary>
    private sealed class GatewayNotFound : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<html><body>404 Not Found</body></html>", Encoding.UTF8, "text/html") });
    }
}
