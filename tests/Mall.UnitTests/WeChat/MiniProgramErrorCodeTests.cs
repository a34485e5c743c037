using System.Net;
using System.Text;
using Mall.WeChat.MiniProgram;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// How the mini-program client reads WeChat's errcodes (developers.weixin.qq.com server API docs; WxJava's
/// WxMaErrorMsgEnum and BaseWxMaServiceImpl as a reference): a refresh on token errors, retryable against final.
/// </summary>
public sealed class MiniProgramErrorCodeTests
{
    private static readonly SubscribeMessageRequest Message = new()
    {
        ToUser = "o1",
        TemplateId = "T",
        Data = new Dictionary<string, SubscribeMessageValue> { ["thing1"] = new() { Value = "hi" } },
    };

    [Theory]
    [InlineData(40001)]
    [InlineData(40014)]
    [InlineData(42001)]
    public async Task A_token_error_refreshes_the_token_once_and_the_call_goes_through(int tokenError)
    {
        var wechat = new ScriptedWeChat($$"""{"errcode":{{tokenError}},"errmsg":"token"}""", """{"errcode":0,"errmsg":"ok"}""");

        await wechat.Client.SendSubscribeMessageAsync(Message, CancellationToken.None);

        Assert.Equal((2, 2), (wechat.TokenFetches, wechat.Calls));
    }

    [Fact]
    public async Task A_token_error_right_after_the_refresh_is_not_refreshed_again()
    {
        var wechat = new ScriptedWeChat("""{"errcode":40014,"errmsg":"invalid access_token"}""", """{"errcode":40014,"errmsg":"invalid access_token"}""");

        var failure = await Assert.ThrowsAsync<WeChatApiException>(() => wechat.Client.SendSubscribeMessageAsync(Message, CancellationToken.None));

        Assert.Equal((WeChatApiFailure.Unavailable, 40014, 2, 2), (failure.Failure, failure.ErrCode, wechat.TokenFetches, wechat.Calls));
    }

    [Theory]
    [InlineData(-1, WeChatApiFailure.Unavailable)]
    [InlineData(45009, WeChatApiFailure.Unavailable)]
    [InlineData(45011, WeChatApiFailure.Unavailable)]
    [InlineData(43101, WeChatApiFailure.RefusedByUser)]
    [InlineData(47003, WeChatApiFailure.Rejected)]
    [InlineData(40003, WeChatApiFailure.Rejected)]
    [InlineData(40037, WeChatApiFailure.Rejected)]
    [InlineData(41030, WeChatApiFailure.Rejected)]
    [InlineData(48001, WeChatApiFailure.Rejected)]
    [InlineData(47001, WeChatApiFailure.Rejected)]
    [InlineData(10060031, WeChatApiFailure.Rejected)]
    [InlineData(10060001, WeChatApiFailure.Unavailable)]
    [InlineData(10060019, WeChatApiFailure.Unavailable)]
    [InlineData(10060002, WeChatApiFailure.AlreadyDone)]
    [InlineData(10060003, WeChatApiFailure.AlreadyDone)]
    [InlineData(10060004, WeChatApiFailure.NotAllowedNow)]
    [InlineData(40029, WeChatApiFailure.InvalidLoginCode)]
    [InlineData(40163, WeChatApiFailure.InvalidLoginCode)]
    [InlineData(40226, WeChatApiFailure.LoginBlocked)]
    public void Each_errcode_is_read_as_retryable_final_or_a_state(int errCode, WeChatApiFailure expected) =>
        Assert.Equal(expected, WeChatErrorCodes.Classify(errCode));

    [Fact]
    public async Task The_phone_number_is_read_from_the_documented_answer_whose_country_code_is_a_number()
    {
        // The answer of getPhoneNumber.html's example, countryCode a number although the table says string.
        var wechat = new ScriptedWeChat("""{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13912345678","purePhoneNumber":"13912345678","countryCode":86,"watermark":{"timestamp":1637744274,"appid":"wx1"}}}""");

        var phone = await wechat.Client.GetPhoneNumberAsync("e31968a7f94cc5ee25fafc2aef2773f0bb8c3937b22520eb8ee345274d00c144", CancellationToken.None);

        Assert.Equal(("13912345678", "86", "wx1"), (phone.PhoneNumber, phone.CountryCode, phone.Watermark!.AppId));
        Assert.DoesNotContain("13912345678", phone.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_phone_number_watermarked_for_another_app_is_refused()
    {
        var wechat = new ScriptedWeChat("""{"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13912345678","purePhoneNumber":"13912345678","countryCode":"86","watermark":{"timestamp":1637744274,"appid":"wx-other"}}}""");

        var refused = await Assert.ThrowsAsync<WeChatApiException>(() => wechat.Client.GetPhoneNumberAsync("code", CancellationToken.None));

        Assert.Equal(WeChatApiFailure.Rejected, refused.Failure);
        Assert.DoesNotContain("13912345678", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>Answers stable_token with a token and every other call with the next scripted answer.</summary>
    private sealed class ScriptedWeChat : HttpMessageHandler
    {
        private readonly Queue<string> answers;

        public ScriptedWeChat(params string[] answers)
        {
            this.answers = new Queue<string>(answers);
            Client = new MiniProgramClient(
                new HttpClient(this) { BaseAddress = new Uri("https://api.weixin.example/") },
                new MiniProgramCredentials("wx1", "secret"),
                new AccessTokenCache(TimeProvider.System));
        }

        public MiniProgramClient Client { get; }

        public int TokenFetches { get; private set; }

        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            string body;
            if (request.RequestUri!.AbsolutePath.EndsWith("stable_token", StringComparison.Ordinal))
            {
                TokenFetches++;
                body = $$"""{"access_token":"TOKEN{{TokenFetches}}","expires_in":7200}""";
            }
            else
            {
                Calls++;
                body = answers.Dequeue();
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
