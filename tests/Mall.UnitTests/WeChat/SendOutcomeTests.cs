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
    private static async Task<WeChatApiException> FailedSendAsync(Func<HttpResponseMessage> sendAnswer)
    {
        var client = new MiniProgramClient(
            new HttpClient(new StubWeChat(sendAnswer)) { BaseAddress = new Uri("https://api.weixin.example/") },
            new MiniProgramCredentials("wx1", "secret"),
            new AccessTokenCache(TimeProvider.System));
        return await Assert.ThrowsAsync<WeChatApiException>(() => client.SendSubscribeMessageAsync(
            new SubscribeMessageRequest { ToUser = "o1", TemplateId = "T", Data = new Dictionary<string, SubscribeMessageValue> { ["thing1"] = new() { Value = "hi" } } },
            CancellationToken.None));
    }

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

    /// <summary>Answers stable_token with a token and the send with <paramref name="sendAnswer"/>.</summary>
    private sealed class StubWeChat(Func<HttpResponseMessage> sendAnswer) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(request.RequestUri!.AbsolutePath.EndsWith("stable_token", StringComparison.Ordinal)
                ? Json("""{"access_token":"TOKEN","expires_in":7200}""")
                : sendAnswer());
    }
}
