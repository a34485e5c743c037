using System.Net.Http.Json;
using Mall.Application.WeChat;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>IWeChatLogin and IWeChatMiniProgram against the sandbox, and the access token cache.</summary>
[Collection(SandboxCollection.Name)]
public sealed class MiniProgramTests
{
    private readonly WeChatSandbox sandbox;

    public MiniProgramTests(SandboxFixture fixture)
    {
        sandbox = fixture.Sandbox;
    }

    [Fact]
    public async Task Login_codes_are_single_use_and_the_part_before_the_hash_names_the_user()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var user = "alice" + WeChatPaySignatures.CreateNonce(6);

        var first = await mall.Login.ExchangeCodeAsync(user + "#1", CancellationToken.None);
        var second = await mall.Login.ExchangeCodeAsync(user + "#2", CancellationToken.None);
        var reused = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(user + "#1", CancellationToken.None));
        var other = await mall.Login.ExchangeCodeAsync("bob" + WeChatPaySignatures.CreateNonce(6) + "#1", CancellationToken.None);

        Assert.Equal(first.OpenId, second.OpenId);
        Assert.Equal(28, first.OpenId.Length);
        Assert.NotEqual(first.SessionKey, second.SessionKey);
        Assert.NotEqual(first.OpenId, other.OpenId);
        Assert.Equal(WeChatFailure.InvalidLoginCode, reused.Failure);
        Assert.DoesNotContain(first.SessionKey, first.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_code_is_invalid_and_a_wrong_secret_is_rejected()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        await using var misconfigured = await MallSide.StartAsync(sandbox, settings => settings["WeChat:AppSecret"] = "wrong");

        var empty = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(string.Empty, CancellationToken.None));
        var wrongSecret = await Assert.ThrowsAsync<WeChatException>(() => misconfigured.Login.ExchangeCodeAsync("carol", CancellationToken.None));

        Assert.Equal(WeChatFailure.InvalidLoginCode, empty.Failure);
        Assert.Equal(WeChatFailure.Rejected, wrongSecret.Failure);
        Assert.DoesNotContain("wrong", wrongSecret.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_messages_share_one_cached_token_and_refresh_it_once_when_rotated()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var openId = "oSubscriber" + WeChatPaySignatures.CreateNonce(8);
        var message = new SubscribeMessage(openId, "TEMPLATE-1", "pages/order/detail?id=1", new Dictionary<string, string> { ["thing1"] = "您的订单已发货" });
        sandbox.AcceptSubscribeMessages(openId, "TEMPLATE-1", times: 3);
        var before = sandbox.AccessTokenRequests;

        await mall.MiniProgram.SendSubscribeMessageAsync(message, CancellationToken.None);
        await mall.MiniProgram.SendSubscribeMessageAsync(message, CancellationToken.None);
        var afterTwoSends = sandbox.AccessTokenRequests;
        sandbox.RotateAccessToken();
        await mall.MiniProgram.SendSubscribeMessageAsync(message, CancellationToken.None);

        Assert.Equal(before + 1, afterTwoSends);
        Assert.Equal(before + 2, sandbox.AccessTokenRequests);
        var recorded = sandbox.SubscribeMessages.Where(sent => sent.Message.ToUser == openId).ToList();
        Assert.Equal(3, recorded.Count);
        Assert.Equal(("TEMPLATE-1", "pages/order/detail?id=1", "您的订单已发货"), (recorded[0].Message.TemplateId, recorded[0].Message.Page, recorded[0].Message.Data!["thing1"].Value));
    }

    [Fact]
    public async Task A_subscribe_message_without_data_is_rejected()
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        var exception = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.SendSubscribeMessageAsync(
            new SubscribeMessage("oSomeone", "TEMPLATE-1", null, new Dictionary<string, string>()), CancellationToken.None));

        Assert.Equal(WeChatFailure.Rejected, exception.Failure);
    }

    [Fact]
    public async Task Shipping_info_is_recorded_for_a_paid_transaction_deferred_for_an_unknown_one_and_refused_for_another_payer()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = "S" + WeChatPaySignatures.CreateNonce(20);
        const string payer = "oShopper0000000000000000000";
        await mall.Pay.CreateJsapiPrepayAsync(new JsapiPrepayRequest(outTradeNo, "Tee", 100, payer, TimeProvider.System.GetUtcNow().AddMinutes(30), null), CancellationToken.None);
        var transactionId = (await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false })).Resource.TransactionId!;
        var uploadTime = new DateTimeOffset(2024, 6, 1, 10, 0, 0, TimeSpan.FromHours(8));
        var upload = new ShippingInfoUpload(transactionId, payer, "SF", "SF1234567890", "Tee x1", "138****0000", uploadTime);

        await mall.MiniProgram.UploadShippingInfoAsync(upload, CancellationToken.None);
        var unknown = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.UploadShippingInfoAsync(upload with { TransactionId = "4200000000000000000000000000" }, CancellationToken.None));
        var wrongPayer = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.UploadShippingInfoAsync(upload with { PayerOpenId = "oSomeoneElse" }, CancellationToken.None));

        var recorded = Assert.Single(sandbox.ShippingUploads, shipped => shipped.Upload.OrderKey!.TransactionId == transactionId).Upload;
        Assert.Equal((ShippingOrderNumberTypes.ByTransactionId, LogisticsTypes.Express, DeliveryModes.Unified), (recorded.OrderKey!.OrderNumberType, recorded.LogisticsType, recorded.DeliveryMode));
        var item = Assert.Single(recorded.ShippingList!);
        Assert.Equal(("SF1234567890", "SF", "Tee x1", "138****0000"), (item.TrackingNo, item.ExpressCompany, item.ItemDesc, item.Contact!.ReceiverContact));
        Assert.Equal((uploadTime, payer), (recorded.UploadTime, recorded.Payer!.OpenId));
        // A payment reaches WeChat's shipping service up to a minute after it is made: worth another try.
        Assert.Equal((WeChatFailure.Unavailable, "10060001"), (unknown.Failure, unknown.ErrorCode));
        Assert.Equal((WeChatFailure.Rejected, "10060031"), (wrongPayer.Failure, wrongPayer.ErrorCode));
    }

    [Fact]
    public async Task Sandbox_token_endpoints_validate_credentials()
    {
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };

        var wrongSecret = await PostTokenAsync(http, new StableTokenRequest { GrantType = "client_credential", AppId = sandbox.MallSettings["WeChat:AppId"], Secret = "nope" });
        var forced = await PostTokenAsync(http, new StableTokenRequest { GrantType = "client_credential", AppId = sandbox.MallSettings["WeChat:AppId"], Secret = sandbox.MallSettings["WeChat:AppSecret"], ForceRefresh = true });
        var normal = await PostTokenAsync(http, new StableTokenRequest { GrantType = "client_credential", AppId = sandbox.MallSettings["WeChat:AppId"], Secret = sandbox.MallSettings["WeChat:AppSecret"] });

        Assert.Equal(40125, wrongSecret.ErrCode);
        Assert.Equal(forced.AccessToken, normal.AccessToken);
        Assert.InRange(normal.ExpiresIn, 7000, 7200);
    }

    [Fact]
    public async Task The_token_cache_refreshes_five_minutes_before_expiry_and_after_invalidation()
    {
        var time = new FakeTimeProvider();
        using var cache = new AccessTokenCache(time);
        var fetches = 0;
        Task<AccessToken> Fetch(CancellationToken cancellationToken) => Task.FromResult(new AccessToken("token" + ++fetches, TimeSpan.FromHours(2)));

        Assert.Equal("token1", await cache.GetAsync(Fetch, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(114));
        Assert.Equal("token1", await cache.GetAsync(Fetch, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("token2", await cache.GetAsync(Fetch, CancellationToken.None));
        cache.Invalidate("token1");
        Assert.Equal("token2", await cache.GetAsync(Fetch, CancellationToken.None));
        cache.Invalidate("token2");
        Assert.Equal("token3", await cache.GetAsync(Fetch, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_callers_share_one_token_fetch()
    {
        using var cache = new AccessTokenCache(new FakeTimeProvider());
        var release = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var fetches = 0;
        Task<AccessToken> Fetch(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref fetches);
            return release.Task;
        }

        var callers = Enumerable.Range(0, 8).Select(_ => cache.GetAsync(Fetch, CancellationToken.None)).ToList();
        release.SetResult(new AccessToken("shared", TimeSpan.FromHours(2)));

        Assert.All(await Task.WhenAll(callers), token => Assert.Equal("shared", token));
        Assert.Equal(1, fetches);
    }

    private static async Task<AccessTokenResponse> PostTokenAsync(HttpClient http, StableTokenRequest request)
    {
        using var content = JsonContent.Create(request);
        using var response = await http.PostAsync(new Uri("/cgi-bin/stable_token", UriKind.Relative), content);
        return (await response.Content.ReadFromJsonAsync<AccessTokenResponse>())!;
    }
}
