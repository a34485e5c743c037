using System.Net.Http.Json;
using Mall.Application.WeChat;
using Mall.WeChat;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// The sandbox's mini-program API against WeChat's documented behaviour (developers.weixin.qq.com server API
/// docs: auth.code2Session, getStableAccessToken, getAccessToken, subscribeMessage.send, 发货信息管理服务), and
/// the faults a test can make it answer. Each test runs its own sandbox on a clock it moves.
/// </summary>
public sealed class MiniProgramSandboxTests : IAsyncLifetime
{
    private const string Reader = "oReader";
    private const string Template = "TPL";

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

    [Fact]
    public async Task The_stable_token_is_renewed_only_in_its_last_five_minutes_and_the_old_one_lives_out_its_time()
    {
        sandbox.AcceptSubscribeMessages(Reader, Template, times: 2);
        var first = await StableTokenAsync();
        time.Advance(TimeSpan.FromSeconds(6_800));
        var later = await StableTokenAsync();
        time.Advance(TimeSpan.FromSeconds(150));
        var renewed = await StableTokenAsync();
        var oldStillWorks = await SendAsync(first.AccessToken!);
        time.Advance(TimeSpan.FromSeconds(300));
        var oldExpired = await SendAsync(first.AccessToken!);

        Assert.Equal((7_200, first.AccessToken, 400), (first.ExpiresIn, later.AccessToken, later.ExpiresIn));
        Assert.NotEqual(first.AccessToken, renewed.AccessToken);
        Assert.Equal(7_200, renewed.ExpiresIn);
        Assert.Equal(0, oldStillWorks.ErrCode);
        Assert.Equal(WeChatErrorCodes.AccessTokenExpired, oldExpired.ErrCode);
        Assert.Equal(0, (await SendAsync(renewed.AccessToken!)).ErrCode);
    }

    [Fact]
    public async Task The_classic_token_is_kept_apart_from_the_stable_one_and_a_replaced_one_works_five_more_minutes()
    {
        sandbox.AcceptSubscribeMessages(Reader, Template, times: 2);
        var stable = await StableTokenAsync();
        var classic = await ClassicTokenAsync();
        var replacement = await ClassicTokenAsync();
        var stableAgain = await StableTokenAsync();
        var replacedWithinGrace = await SendAsync(classic.AccessToken!);
        time.Advance(TimeSpan.FromMinutes(5));
        var replacedAfterGrace = await SendAsync(classic.AccessToken!);
        var forced = await StableTokenAsync(forceRefresh: true);

        Assert.NotEqual(stable.AccessToken, classic.AccessToken);
        Assert.Equal(stable.AccessToken, stableAgain.AccessToken);
        Assert.Equal(0, replacedWithinGrace.ErrCode);
        Assert.Equal(WeChatErrorCodes.AccessTokenExpired, replacedAfterGrace.ErrCode);
        Assert.NotEqual(stable.AccessToken, forced.AccessToken);
        Assert.Equal(WeChatErrorCodes.InvalidAccessToken, (await SendAsync(stable.AccessToken!)).ErrCode);
        Assert.Equal(0, (await SendAsync(replacement.AccessToken!)).ErrCode);
        Assert.Equal(WeChatErrorCodes.IllegalAccessToken, (await SendAsync("not-a-token")).ErrCode);
    }

    /// <summary>
    /// getStableAccessToken: force_refresh is limited to 20 a day, and "连续使用该模式时，请保证调用时间隔至少为30s，否则不会刷新":
    /// a forced refresh within 30 s of the last one returns the current token, so a client forcing refreshes in a
    /// loop does not revoke every other instance's token each time.
    /// </summary>
    [Fact]
    public async Task A_second_forced_stable_token_refresh_within_30_seconds_returns_the_current_token()
    {
        sandbox.AcceptSubscribeMessages(Reader, Template);
        var first = await StableTokenAsync(forceRefresh: true);
        time.Advance(TimeSpan.FromSeconds(10));
        var second = await StableTokenAsync(forceRefresh: true);

        Assert.Equal((0, 0), (first.ErrCode, second.ErrCode));
        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.Equal(0, (await SendAsync(first.AccessToken!)).ErrCode);
    }

    [Fact]
    public async Task Forced_stable_token_refreshes_30_seconds_apart_replace_the_token_twenty_times_a_day_then_answer_45009()
    {
        // 01:00 Beijing time, so the ten minutes below stay within one of WeChat's quota days.
        var beijing = TimeSpan.FromHours(8);
        time.Advance(new DateTimeOffset(time.GetUtcNow().ToOffset(beijing).Date.AddDays(1).AddHours(1), beijing) - time.GetUtcNow());
        var tokens = new List<string>();
        for (var call = 0; call < 20; call++)
        {
            var forced = await StableTokenAsync(forceRefresh: true);
            Assert.Equal(0, forced.ErrCode);
            tokens.Add(forced.AccessToken!);
            time.Advance(TimeSpan.FromSeconds(30));
        }

        var twentyFirst = await StableTokenAsync(forceRefresh: true);
        var notForced = await StableTokenAsync();
        time.Advance(TimeSpan.FromDays(1));
        var nextDay = await StableTokenAsync(forceRefresh: true);

        Assert.Equal(20, tokens.Distinct().Count());
        Assert.Equal((WeChatErrorCodes.MinuteQuotaReached, "reach max api daily quota limit"), (twentyFirst.ErrCode, twentyFirst.ErrMsg));
        Assert.Equal(tokens[^1], notForced.AccessToken);
        Assert.Equal(0, nextDay.ErrCode);
        Assert.DoesNotContain(nextDay.AccessToken, tokens);
    }

    [Fact]
    public async Task A_login_code_lives_five_minutes_and_works_once()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var fresh = sandbox.IssueLoginCode("carol");
        var stale = sandbox.IssueLoginCode("carol");

        time.Advance(TimeSpan.FromMinutes(4) + TimeSpan.FromSeconds(59));
        var session = await mall.Login.ExchangeCodeAsync(fresh, CancellationToken.None);
        var reused = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(fresh, CancellationToken.None));
        time.Advance(TimeSpan.FromSeconds(2));
        var expired = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(stale, CancellationToken.None));

        Assert.Equal((await mall.Login.ExchangeCodeAsync("carol#1", CancellationToken.None)).OpenId, session.OpenId);
        Assert.Equal((WeChatFailure.InvalidLoginCode, "40163"), (reused.Failure, reused.ErrorCode));
        Assert.Equal((WeChatFailure.InvalidLoginCode, "40029"), (expired.Failure, expired.ErrorCode));
    }

    /// <summary>auth.code2Session answers 40029 for a code wx.login never issued; the sandbox adds only its shortcut "&lt;user&gt;#&lt;n&gt;".</summary>
    [Theory]
    [InlineData("not-a-code-wx-login-issued")]
    [InlineData("#1")]
    [InlineData("frank#")]
    [InlineData("frank#1x")]
    public async Task A_login_code_neither_issued_nor_of_the_shortcut_form_is_refused_with_40029(string code)
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        var refused = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync(code, CancellationToken.None));

        Assert.Equal((WeChatFailure.InvalidLoginCode, "40029"), (refused.Failure, refused.ErrorCode));
        Assert.False(string.IsNullOrEmpty((await mall.Login.ExchangeCodeAsync("frank#1", CancellationToken.None)).OpenId));
    }

    [Theory]
    [InlineData(WeChatErrorCodes.HighRiskUser, WeChatFailure.LoginBlocked)]
    [InlineData(WeChatErrorCodes.RateLimited, WeChatFailure.Unavailable)]
    [InlineData(WeChatErrorCodes.Busy, WeChatFailure.Unavailable)]
    public async Task Login_fails_as_WeChat_fails_it(int errCode, WeChatFailure expected)
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        sandbox.InjectFault(MiniProgramApi.Code2Session, SandboxFault.Error(errCode));

        var failure = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync("dave#1", CancellationToken.None));
        var next = await mall.Login.ExchangeCodeAsync("dave#2", CancellationToken.None);

        Assert.Equal(expected, failure.Failure);
        Assert.False(string.IsNullOrEmpty(next.OpenId));
    }

    /// <summary>
    /// subscribeMessage.send: one acceptance in wx.requestSubscribeMessage (一次性订阅) allows one message; without one
    /// WeChat answers 43101 ("用户拒绝接受消息，如果用户之前曾经订阅过，则表示用户取消了订阅关系").
    /// </summary>
    [Fact]
    public async Task A_subscribe_message_to_a_user_who_never_accepted_the_template_is_refused_with_43101()
    {
        var token = (await StableTokenAsync()).AccessToken!;

        var first = await SendAsync(token, "oNeverAccepted00000000000000");
        var second = await SendAsync(token, "oNeverAccepted00000000000000");

        Assert.Equal((WeChatErrorCodes.UserRefusedMessage, WeChatErrorCodes.UserRefusedMessage), (first.ErrCode, second.ErrCode));
        Assert.Equal("user refuse to accept the msg", first.ErrMsg);
        Assert.Empty(sandbox.SubscribeMessages);
    }

    [Fact]
    public async Task Each_acceptance_lets_one_message_through_and_one_not_sent_spends_none()
    {
        var token = (await StableTokenAsync()).AccessToken!;
        using var twice = await http.PostAsJsonAsync(new Uri("/sandbox/subscribe-messages/acceptances", UriKind.Relative), new { user = "grace", templateId = Template, times = 2 });
        using var bad = await http.PostAsJsonAsync(new Uri("/sandbox/subscribe-messages/acceptances", UriKind.Relative), new { templateId = Template });
        var grace = sandbox.OpenIdOf("grace");
        sandbox.InjectFault(MiniProgramApi.SendSubscribeMessage, SandboxFault.Error(WeChatErrorCodes.Busy));

        var busy = await SendAsync(token, grace);
        var answers = new[] { await SendAsync(token, grace), await SendAsync(token, grace), await SendAsync(token, grace) };
        sandbox.AcceptSubscribeMessages(grace, Template);
        var acceptedAgain = await SendAsync(token, grace);

        Assert.Equal((System.Net.HttpStatusCode.NoContent, System.Net.HttpStatusCode.BadRequest), (twice.StatusCode, bad.StatusCode));
        Assert.Equal(WeChatErrorCodes.Busy, busy.ErrCode);
        Assert.Equal(new[] { 0, 0, WeChatErrorCodes.UserRefusedMessage }, answers.Select(answer => answer.ErrCode));
        Assert.Equal(0, acceptedAgain.ErrCode);
        Assert.Equal(3, sandbox.SubscribeMessages.Count(sent => sent.Message.ToUser == grace));
    }

    [Fact]
    public async Task Template_values_are_checked_field_by_field_and_a_refused_template_answers_43101()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var client = mall.Services.GetRequiredService<MiniProgramClient>();
        SubscribeMessageRequest Message(string openId, params (string Key, string Value)[] data) => new()
        {
            ToUser = openId,
            TemplateId = "TPL",
            Data = data.ToDictionary(field => field.Key, field => new SubscribeMessageValue { Value = field.Value }),
        };
        sandbox.AcceptSubscribeMessages("oUser", "TPL");
        sandbox.AcceptSubscribeMessages("oRefuser", "TPL");
        sandbox.RefuseSubscribeMessages("oRefuser", "TPL");

        var tooLong = await Assert.ThrowsAsync<WeChatApiException>(() => client.SendSubscribeMessageAsync(Message("oUser", ("thing1", new string('茶', 21))), CancellationToken.None));
        var noSymbol = await Assert.ThrowsAsync<WeChatApiException>(() => client.SendSubscribeMessageAsync(Message("oUser", ("amount2", "2990.00")), CancellationToken.None));
        var refused = await Assert.ThrowsAsync<WeChatApiException>(() => client.SendSubscribeMessageAsync(Message("oRefuser", ("thing1", "尾款待支付")), CancellationToken.None));
        await client.SendSubscribeMessageAsync(Message("oUser", ("thing1", new string('茶', 20)), ("amount2", "¥2990.00"), ("time3", "2024-11-11 23:59")), CancellationToken.None);

        Assert.Equal((WeChatErrorCodes.InvalidTemplateData, "argument invalid! data.thing1.value exceeds limit"), (tooLong.ErrCode, tooLong.Message[(tooLong.Message.IndexOf("argument", StringComparison.Ordinal))..]));
        Assert.Equal(WeChatApiFailure.Rejected, tooLong.Failure);
        Assert.EndsWith("argument invalid! data.amount2.value invalid", noSymbol.Message, StringComparison.Ordinal);
        Assert.Equal((WeChatErrorCodes.UserRefusedMessage, WeChatApiFailure.RefusedByUser), (refused.ErrCode, refused.Failure));
        Assert.Single(sandbox.SubscribeMessages);
    }

    [Fact]
    public async Task Shipping_takes_at_most_fifteen_parcels_and_get_order_follows_the_uploads()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var client = mall.Services.GetRequiredService<MiniProgramClient>();
        const string payer = "oShipper000000000000000000000";
        var outTradeNo = "P" + WeChatPaySignatures.CreateNonce(20);
        await mall.Pay.CreateJsapiPrepayAsync(new JsapiPrepayRequest(outTradeNo, "Tea", 100, payer, time.GetUtcNow().AddMinutes(30), null), CancellationToken.None);
        var transactionId = (await sandbox.PayAsync(outTradeNo, new SandboxPayOptions { Notify = false })).Resource.TransactionId!;
        UploadShippingInfoRequest Upload(int parcels, string openId = payer) => new()
        {
            OrderKey = new ShippingOrderKey { OrderNumberType = ShippingOrderNumberTypes.ByTransactionId, TransactionId = transactionId },
            LogisticsType = LogisticsTypes.Express,
            DeliveryMode = DeliveryModes.Split,
            IsAllDelivered = true,
            ShippingList = [.. Enumerable.Range(1, parcels).Select(i => new ShippingItem { TrackingNo = $"SF{i:D10}", ExpressCompany = "SF", ItemDesc = "龙井 x1" })],
            UploadTime = time.GetUtcNow(),
            Payer = new Payer { OpenId = openId },
        };

        var before = await client.GetShippingOrderAsync(transactionId, CancellationToken.None);
        var sixteen = await Assert.ThrowsAsync<WeChatApiException>(() => client.UploadShippingInfoAsync(Upload(16), CancellationToken.None));
        var otherPayer = await Assert.ThrowsAsync<WeChatApiException>(() => client.UploadShippingInfoAsync(Upload(1, "oSomeoneElse"), CancellationToken.None));
        await client.UploadShippingInfoAsync(Upload(15), CancellationToken.None);
        var shipped = await client.GetShippingOrderAsync(transactionId, CancellationToken.None);
        await client.UploadShippingInfoAsync(Upload(1), CancellationToken.None);
        var third = await Assert.ThrowsAsync<WeChatApiException>(() => client.UploadShippingInfoAsync(Upload(1), CancellationToken.None));
        var corrected = await client.GetShippingOrderAsync(transactionId, CancellationToken.None);

        Assert.Equal((ShippingOrderStates.AwaitingShipment, null), (before!.OrderState, before.Shipping));
        Assert.Equal(WeChatErrorCodes.DataFormatError, sixteen.ErrCode);
        Assert.Equal((WeChatErrorCodes.PayerMismatch, WeChatApiFailure.Rejected), (otherPayer.ErrCode, otherPayer.Failure));
        Assert.Equal((ShippingOrderStates.Shipped, 1, 15), (shipped!.OrderState, shipped.Shipping!.FinishShippingCount, shipped.Shipping.ShippingList!.Count));
        Assert.Equal((WeChatErrorCodes.ShippingUpdateUsed, WeChatApiFailure.AlreadyDone), (third.ErrCode, third.Failure));
        Assert.Equal((2, payer), (corrected!.Shipping!.FinishShippingCount, corrected.OpenId));
        Assert.Null(await client.GetShippingOrderAsync("4200000000000000000000000000", CancellationToken.None));
    }

    [Fact]
    public async Task Faults_are_injected_and_cleared_over_HTTP()
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        using var bad = await http.PostAsJsonAsync(new Uri("/sandbox/faults", UriKind.Relative), new { api = "Code2Session" });
        using var inject = await http.PostAsJsonAsync(new Uri("/sandbox/faults", UriKind.Relative), new { api = "Code2Session", errcode = 40226, times = int.MaxValue });
        var blocked = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync("erin#1", CancellationToken.None));
        var stillBlocked = await Assert.ThrowsAsync<WeChatException>(() => mall.Login.ExchangeCodeAsync("erin#2", CancellationToken.None));
        using var clear = await http.DeleteAsync(new Uri("/sandbox/faults", UriKind.Relative));
        var session = await mall.Login.ExchangeCodeAsync("erin#3", CancellationToken.None);
        using var code = await http.PostAsJsonAsync(new Uri("/sandbox/login-codes", UriKind.Relative), new { user = "erin" });
        var issued = (await code.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["code"];

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal((System.Net.HttpStatusCode.NoContent, System.Net.HttpStatusCode.NoContent), (inject.StatusCode, clear.StatusCode));
        Assert.Equal((WeChatFailure.LoginBlocked, WeChatFailure.LoginBlocked), (blocked.Failure, stillBlocked.Failure));
        Assert.Equal(session.OpenId, (await mall.Login.ExchangeCodeAsync(issued, CancellationToken.None)).OpenId);
    }

    private async Task<AccessTokenResponse> StableTokenAsync(bool forceRefresh = false)
    {
        // The body as the mall's client writes it (WeChatJson: WeChat's snake_case names).
        var body = new StableTokenRequest { GrantType = StableTokenRequest.ClientCredential, AppId = sandbox.MallSettings["WeChat:AppId"], Secret = sandbox.MallSettings["WeChat:AppSecret"], ForceRefresh = forceRefresh };
        using var content = new StringContent(WeChatJson.Serialize(body), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri("/cgi-bin/stable_token", UriKind.Relative), content);
        return WeChatJson.Deserialize<AccessTokenResponse>(await response.Content.ReadAsStringAsync());
    }

    private async Task<AccessTokenResponse> ClassicTokenAsync()
    {
        var query = $"/cgi-bin/token?grant_type=client_credential&appid={sandbox.MallSettings["WeChat:AppId"]}&secret={sandbox.MallSettings["WeChat:AppSecret"]}";
        return WeChatJson.Deserialize<AccessTokenResponse>(await http.GetStringAsync(new Uri(query, UriKind.Relative)));
    }

    private async Task<WeChatApiResult> SendAsync(string accessToken, string openId = Reader)
    {
        var message = new SubscribeMessageRequest { ToUser = openId, TemplateId = Template, Data = new Dictionary<string, SubscribeMessageValue> { ["thing1"] = new() { Value = "到货提醒" } } };
        using var content = new StringContent(WeChatJson.Serialize(message), System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri($"/cgi-bin/message/subscribe/send?access_token={accessToken}", UriKind.Relative), content);
        return WeChatJson.Deserialize<WeChatApiResult>(await response.Content.ReadAsStringAsync());
    }
}
