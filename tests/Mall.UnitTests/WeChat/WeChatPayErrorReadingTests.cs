using System.Net;
using System.Text;
using Mall.Application.WeChat;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>How the mall's WeChat Pay client reads an error answer: only WeChat Pay's own codes say what happened.</summary>
public sealed class WeChatPayErrorReadingTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private WeChatSandbox sandbox = null!;

    public async Task InitializeAsync() =>
        sandbox = await WeChatSandbox.StartAsync(SandboxFixture.Options with { TimeProvider = time }, CancellationToken.None);

    public async Task DisposeAsync() => await sandbox.DisposeAsync();

    /// <summary>
    /// A 404 that is not WeChat Pay's ORDER_NOT_EXIST (a gateway's HTML page) says nothing about the order. Read as
    /// "no such order" (as it once was, found by review), 关单 counted as refused and the expiry closed the order and
    /// gave its stock back though a payment could still land; it is retried instead.
    /// </summary>
    [Fact]
    public async Task A_404_without_a_WeChat_Pay_code_is_retried_not_read_as_no_such_order()
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
