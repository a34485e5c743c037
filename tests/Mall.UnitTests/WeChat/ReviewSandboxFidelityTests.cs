using System.Net;
using System.Text;
using Mall.Application.WeChat;
using Mall.WeChat;
using Mall.WeChat.MiniProgram;
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
    private HttpClient http = null!;

    public async Task InitializeAsync()
    {
        sandbox = await WeChatSandbox.StartAsync(SandboxFixture.Options with { TimeProvider = time }, CancellationToken.None);
        http = new HttpClient { BaseAddress = sandbox.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        http.Dispose();
        await sandbox.DisposeAsync();
    }

    /// <summary>
    /// getStableAccessToken: force_refresh is limited (20 a day) and "连续使用该模式时,请保证调用时间隔至少为30s,否则不会刷新":
    /// a second forced refresh within 30 s returns the current token. The sandbox replaces the token every time,
    /// so a client that force-refreshes in a loop (revoking every other instance's token) passes against it.
    /// </summary>
    [Fact]
    public async Task A_second_forced_stable_token_refresh_within_30_seconds_still_replaces_the_token()
    {
        sandbox.AcceptSubscribeMessages("oReader", "TPL");
        var first = await StableTokenAsync(forceRefresh: true);
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await StableTokenAsync(forceRefresh: true);

        Assert.Equal(0, second.ErrCode);
        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.Equal(0, (await SendAsync(first.AccessToken!, "oReader")).ErrCode);
    }

    /// <summary>
    /// auth.code2Session answers 40029 for a code wx.login never issued. The README promises the shortcut form
    /// "&lt;user&gt;#&lt;n&gt;", but the sandbox takes any string at all as a user (here an empty-looking user and a
    /// forged token), so a mall that skips or mangles the code exchange passes.
    /// </summary>
    [Theory]
    [InlineData("not-a-code-wx-login-issued")]
    [InlineData("#1")]
    public async Task A_login_code_neither_issued_nor_of_the_shortcut_form_is_accepted(string code)
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        var refused = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(code, CancellationToken.None));

        Assert.Equal((WeChatFailure.InvalidLoginCode, "40029"), (refused.Failure, refused.ErrorCode));
    }

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

    private async Task<AccessTokenResponse> StableTokenAsync(bool forceRefresh = false)
    {
        // As MiniProgramClient sends it (WeChatJson, with a Content-Length).
        var request = new StableTokenRequest { GrantType = StableTokenRequest.ClientCredential, AppId = sandbox.MallSettings["WeChat:AppId"], Secret = sandbox.MallSettings["WeChat:AppSecret"], ForceRefresh = forceRefresh };
        using var content = new StringContent(WeChatJson.Serialize(request), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/cgi-bin/stable_token", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        var answer = WeChatJson.Deserialize<AccessTokenResponse>(text);
        Assert.True(answer.ErrCode == 0, text);
        return answer;
    }

    private async Task<WeChatApiResult> SendAsync(string accessToken, string openId)
    {
        var message = new SubscribeMessageRequest { ToUser = openId, TemplateId = "TPL", Data = new Dictionary<string, SubscribeMessageValue> { ["thing1"] = new() { Value = "到货提醒" } } };
        using var content = new StringContent(WeChatJson.Serialize(message), Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri($"/cgi-bin/message/subscribe/send?access_token={accessToken}", UriKind.Relative), content);
        return WeChatJson.Deserialize<WeChatApiResult>(await response.Content.ReadAsStringAsync());
    }

    /// <summary>A front end's own 404 page in place of WeChat Pay's answer: unsigned, not JSON.</summary>
    private sealed class GatewayNotFound : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Content = new StringContent("<html><body>404 Not Found</body></html>", Encoding.UTF8, "text/html") });
    }
}
