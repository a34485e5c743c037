using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mall.Application.WeChat;
using Mall.WeChat.Pay;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// The sandbox's WeChat Pay answers, byte for byte where it matters, against what WeChat Pay sends
/// (pay.weixin.qq.com/doc/v3/merchant/4013070356, 商户订单号查询订单): code that works here must work in production.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class PaySandboxFidelityTests
{
    private readonly WeChatSandbox sandbox;

    public PaySandboxFidelityTests(SandboxFixture fixture)
    {
        sandbox = fixture.Sandbox;
    }

    [Fact]
    public async Task An_unpaid_query_answers_only_the_fields_WeChat_sends()
    {
        await using var mall = await MallSide.StartAsync(sandbox);
        var outTradeNo = "N" + WeChatPaySignatures.CreateNonce(20);
        await mall.Pay.CreateJsapiPrepayAsync(
            new JsapiPrepayRequest(outTradeNo, "Tee", 1_500, "oUnpaidBuyer00000000000000", TimeProvider.System.GetUtcNow().AddMinutes(30), null),
            CancellationToken.None);

        var (status, body) = await SignedGetAsync(mall, $"/v3/pay/transactions/out-trade-no/{outTradeNo}?mchid={sandbox.MallSettings["WeChatPay:MchId"]}");
        var read = await mall.Pay.QueryTransactionAsync(outTradeNo, CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, status);
        var answer = body.RootElement;
        Assert.False(answer.TryGetProperty("payer", out _), "WeChat does not name the payer of an unpaid order");
        Assert.Equal(["payer_currency", "total"], answer.GetProperty("amount").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal(("CNY", 1_500), (answer.GetProperty("amount").GetProperty("payer_currency").GetString(), answer.GetProperty("amount").GetProperty("total").GetInt32()));
        Assert.Equal(("NOTPAY", "订单未支付"), (answer.GetProperty("trade_state").GetString(), answer.GetProperty("trade_state_desc").GetString()));
        Assert.Equal(0, answer.GetProperty("promotion_detail").GetArrayLength());
        Assert.Equal((TradeState.NotPay, 1_500L, null, null), (read!.TradeState, read.TotalFen, read.PayerOpenId, read.PayerTotalFen));
    }

    [Theory]
    [InlineData("/v3/pay/transactions/id/4200000000000000000000000001?mchid=1900000001")]
    [InlineData("/v3/certificates")]
    public async Task A_path_the_sandbox_does_not_serve_answers_a_signed_not_found(string path)
    {
        await using var mall = await MallSide.StartAsync(sandbox);

        var (status, body) = await SignedGetAsync(mall, path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("NOT_FOUND", body.RootElement.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.RootElement.GetProperty("message").GetString()));
    }

    /// <summary>A GET signed with the merchant key; the answer must carry a signature the mall verifies.</summary>
    private async Task<(HttpStatusCode Status, JsonDocument Body)> SignedGetAsync(MallSide mall, string pathAndQuery)
    {
        var merchant = mall.Services.GetRequiredService<WeChatPayMerchant>();
        var verifier = mall.Services.GetRequiredService<WeChatPaySignatureVerifier>();
        var authorization = merchant.Authorize("GET", pathAndQuery, string.Empty, WeChatPaySignatures.Timestamp(TimeProvider.System.GetUtcNow()), WeChatPaySignatures.CreateNonce());
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(pathAndQuery, UriKind.Relative));
        request.Headers.TryAddWithoutValidation("Authorization", authorization.ToString());
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        verifier.Verify(WeChatPaySignedMessage.FromHeaders(response.Headers.Select(header => KeyValuePair.Create(header.Key, string.Join(',', header.Value))), text));
        return (response.StatusCode, JsonDocument.Parse(text));
    }
}
