using System.Net;
using System.Text;
using Mall.WeChat.MiniProgram;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// Whether a failed send may have reached the customer: a subscription is given back only when
/// WeChat said it did not send, never when its answer was lost.
/// </summary>
public sealed class SendOutcomeTests
{
    private static readonly SubscribeMessageRequest Message = new() { ToUser = "o1", TemplateId = "T", Data = new Dictionary<string, SubscribeMessageValue> { ["thing1"] = new() { Value = "hi" } } };

    private static readonly Dictionary<string, Func<MiniProgramClient, Task>> CallsWithAccessToken = new()
    {
        ["send"] = client => client.SendSubscribeMessageAsync(Message, CancellationToken.None),
        ["upload_shipping_info"] = client => client.UploadShippingInfoAsync(new UploadShippingInfoRequest(), CancellationToken.None),
        ["get_order"] = client => client.GetShippingOrderAsync("4200000000000000000000000000", CancellationToken.None),
    };

    private static MiniProgramClient Client(StubWeChat wechat) => new(
        new HttpClient(wechat) { BaseAddress = new Uri("https://api.weixin.example/") },
        new MiniProgramCredentials("wx1", "secret"),
        new AccessTokenCache(TimeProvider.System));

    private static Task<WeChatApiException> FailedSendAsync(Func<HttpResponseMessage> sendAnswer) =>
        Assert.ThrowsAsync<WeChatApiException>(() => Client(new StubWeChat(sendAnswer)).SendSubscribeMessageAsync(Message, CancellationToken.None));

    private static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    [Fact]
    public async Task A_busy_answer_means_not_sent()
    {
        var failure = await FailedSendAsync(() => Json("""{"errcode":-1,"errmsg":"system error"}"""));
        Assert.Equal((WeChatApiFailure.Unavailable, false), (failure.Failure, failure.OutcomeUnknown));
    }

    [Fact]
    public async Task A_gateway_error_or_an_unreadable_answer_leaves_the_outcome_unknown()
    {
        Assert.True((await FailedSendAsync(() => Json("bad gateway", HttpStatusCode.BadGateway))).OutcomeUnknown);
        Assert.True((await FailedSendAsync(() => Json("{not json"))).OutcomeUnknown);
    }

    [Fact]
    public async Task A_timeout_leaves_the_outcome_unknown() =>
        Assert.True((await FailedSendAsync(() => throw new TaskCanceledException("timed out"))).OutcomeUnknown);

    /// <summary>No access token, no request: whatever became of the stable_token call, the call that needed it was not sent.</summary>
    [Theory]
    [InlineData("send")]
    [InlineData("upload_shipping_info")]
    [InlineData("get_order")]
    public async Task A_call_whose_access_token_could_not_be_had_is_known_not_sent(string call)
    {
        foreach (var tokenAnswer in new Func<HttpResponseMessage>[]
        {
            () => Json("bad gateway", HttpStatusCode.BadGateway),
            () => Json("{not json"),
            () => throw new TaskCanceledException("timed out"),
            () => throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely."),
        })
        {
            var wechat = new StubWeChat(() => Json("""{"errcode":0,"errmsg":"ok"}"""), tokenAnswer);

            var failure = await Assert.ThrowsAsync<WeChatApiException>(() => CallsWithAccessToken[call](Client(wechat)));

            Assert.Equal((WeChatApiFailure.Unavailable, false, 0), (failure.Failure, failure.OutcomeUnknown, wechat.Calls));
        }
    }

    /// <summary>Answers stable_token with <paramref name="tokenAnswer"/> (a token unless told) and every other call with <paramref name="callAnswer"/>.</summary>
    private sealed class StubWeChat(Func<HttpResponseMessage> callAnswer, Func<HttpResponseMessage>? tokenAnswer = null) : HttpMessageHandler
    {
        public int Calls { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("stable_token", StringComparison.Ordinal))
            {
                return Task.FromResult(tokenAnswer?.Invoke() ?? Json("""{"access_token":"TOKEN","expires_in":7200}"""));
            }

            Calls++;
            return Task.FromResult(callAnswer());
        }
    }
}
