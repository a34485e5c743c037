using System.Security.Cryptography;
using Mall.WeChat;
using Mall.WeChat.Pay;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// Vectors produced once by Node's crypto module (an independent implementation): AES-256-GCM with
/// WeChat's parameter conventions and RSA-SHA256 PKCS#1 v1.5 signatures. Only the public key is kept.
/// </summary>
public sealed class KnownAnswerTests
{
    private const string NodePublicKeyPem = """
        -----BEGIN PUBLIC KEY-----
        MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA4vCdFGHGZUlWFg+gtwSP
        DAR3Bp22d8ivHmaBsUL5LKnsX1OmBwDmXaWtZaNISE6vJipfb73UAxQ38pGJYD/m
        ORISL5uys1QbtBmMirkLOZwQpXEfh+vcPbyd4RE7Ia1iXwyr4AU6HwqQ7wqszALZ
        9rTEgYD/dQWyHxHw0T7gGsnxOrlnaHVl63qfeXmYgy8X6GnICPVMN4JfoAJcJqfN
        RUaTZuyS7TW5UkLhpF1ylR2f10pw/2ZaoviJwiGYmHXVQ4nYLDr1j+z1DXWAVFZd
        ZBStocg5PuZN3QY9kxyKTcYwePP/I5DEMnYztiPnXHCYQVpoqm8aHWPNOXNkErZt
        EQIDAQAB
        -----END PUBLIC KEY-----
        """;

    private const string ResponseSignature = "yx7pFaDxFcPQAHQSqHRmtUkN46cPj0q8y+TuqxI2YJ0+eBwMhsyN7aL6QR5ezcMGhdD/kEiL5tnOe0UzGT0ffRqB/LBVHNDJmUJwFyXd5VqN6wrgOQ004rDPSMAnUXG0Gj4wrQ6/PtXR+O28VDzt11rSYbUpWPU3pjya6OkcPd4p2iTZJTVHiSZsS+kydKeJKCYbBl+N8Hlv5Ay54bJj4HCdPj/nOwrvzlIrmMLyCkBfHORY6JUr5K4W1Bc7JsPBhtZ+MXF+MbFZKxcVEIR69fGx6xRDZ8BzOThvwt1ivvJHtsv2WOrA4L2wndshdJk/e1t3ThSvYl3qqGiSeIR3gQ==";

    private const string RequestPaymentSignature = "XA5u422vR5hVv5VZYkZ3UxG9i8ZBCBO8w0w1yBo6WWIrhbCZDPEbcgjsZoEUQ4naNtBuRlBaenecgdgQ7BOERZmcZGhnGWgTL4hNChvvPJiPq9Tuhf3q7edl1BtgVOXKqs/WGqfMRKlph3cfawAltcPWXIe4LcP7kvHtUFh9ihEBpkXf1ECqTZYnenIH7zKg08g7z3hna0y4zRHCswAOnp9I/hVmqKCXxAEMRJ3lSzYOgiBn4WN/FWItN3QQnK3WAX+mkngtcLNBfulswhwlHHm4vWT6pFXZC5Mo5Cxg+Lz/Y4jEWwY5IT+sIwZfqKPG7jP2B5kuJaBQ7UPlIyNEMg==";

    public static TheoryData<string, string, string, string, string> AeadVectors => new()
    {
        {
            "xU2gwVD7oE8wZ3NQ4JfK5hR1mT9sP6yA",
            "fdasflkja484",
            "transaction",
            "cstGlJbAY0jY08+U4b21wCWLtToRivzl9gBXK4qiQ/ZB7V9JtWycu6O5UbwV6i/fx5FuHLWgvL0PeSdnwxW7Tin5a+JoksHkrbRiXBGZ1BOXXktx1UTd8tDw8mKqvGsd3hWyaAQMEfnTySAZBPR6SJ3g0hZV7ZCOHGJOSckMVy4r1tbBtdjpxjxMQIEd8cX41FsavVZDZ9BoSqLZK9qyeeYRGoMcWqbjzQQyDl4l0R9x4nBV/RY0HYrZLxALR/wGJB+j46e3QoZaeeLOJE6BD+TvdJHoB9S62waekJ7qgW+IS7B8ZNMDQR8gYS3UAYM53MHGdVJ6RX/XHkA/g8xyx8rcFZP43KRuyJPfPKGQuQKbmovpdBe0MrAPFjqL7jUuo0VuDBd6NnERY5LL+4gySA64Saug1Tq98x3zrZ8AwaEv9wn1d1dWqHv49X3NTQpnYtOD94UaP3NkomQX4jE7ZGOK0Xw/uyY+9UrZUCbd4ivuskoBRqjzQdpLSHsass9vKnpv3LAAkDzqUk6y8qgiMWoaGmXqfAVeOUd/6XYQJ1f5IDTFtc7OIe6VZKKtilCTs0p0QEV/",
            "{\"mchid\":\"1900000001\",\"appid\":\"wxsandbox0000000001\",\"out_trade_no\":\"ORD20240101abc\",\"transaction_id\":\"4200000001202401010123456789\",\"trade_type\":\"JSAPI\",\"trade_state\":\"SUCCESS\",\"trade_state_desc\":\"支付成功\",\"bank_type\":\"OTHERS\",\"attach\":\"\",\"success_time\":\"2024-01-01T12:00:00+08:00\",\"payer\":{\"openid\":\"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o\"},\"amount\":{\"total\":12900,\"payer_total\":12900,\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}"
        },
        {
            "xU2gwVD7oE8wZ3NQ4JfK5hR1mT9sP6yA",
            "a1b2c3d4e5f6",
            "refund",
            "jlpj6a6/Swg4YJHi3cNOUxfXibL0i+D9p4I1p0xvwUQG+XaZ1GgbReDw8ZxDD4UEjNFJT316Acu9Aef5dHdHHm24rOStbFmGZWzxeN7kr/M1E6UhW88Ky/che2IpOhNw5jwaCHCbYrps+Gi2HPF+w1DVpZckTafPvkyvwlmUCmdLbYOxl89b+svkt4ildInYKNW2CNK/UTpvdVAwuhCa3CTt4r9FOsrDDPmFqRGuQEIbfZK65l9O0/K2izOtsP8MEzh/pgzMXYffN2QAc7+kIrtc/u5+j1T4CZIKagp5ldYFxmYfQiCkwUiOq9UWQKk=",
            "{\"mchid\":\"1900000001\",\"out_trade_no\":\"ORD20240101abc\",\"out_refund_no\":\"RF1\",\"refund_id\":\"50300000000000000000000000001\",\"refund_status\":\"SUCCESS\",\"amount\":{\"total\":12900,\"refund\":900,\"payer_total\":12900,\"payer_refund\":900}}"
        },
        {
            "00000000000000000000000000000000",
            "000000000000",
            "",
            "UD9H1ws2EmeHA2XYpgy012QCMmGtUHqAOxpgTA==",
            "退款成功"
        },
    };

    [Theory]
    [MemberData(nameof(AeadVectors))]
    public void Aead_decrypts_node_vectors(string key, string nonce, string associatedData, string ciphertext, string plaintext)
    {
        Assert.Equal(plaintext, WeChatPayAead.Decrypt(key, nonce, associatedData, ciphertext));
    }

    [Theory]
    [MemberData(nameof(AeadVectors))]
    public void Aead_encrypts_to_node_vectors(string key, string nonce, string associatedData, string ciphertext, string plaintext)
    {
        Assert.Equal(ciphertext, WeChatPayAead.Encrypt(key, nonce, associatedData, plaintext));
    }

    [Fact]
    public void Rsa_verifies_node_signature_of_a_response_message()
    {
        using var key = WeChatPem.LoadPublicKey(NodePublicKeyPem);
        var message = WeChatPaySignatures.ResponseMessage("1554209980", "c5ac7061fccab6bf3e254dcf98995b8c", """{"data":[{"serial_no":"5157F09EFDC096DE15EBE81A47057A7232F1B8E1"}]}""");

        Assert.Equal("1554209980\nc5ac7061fccab6bf3e254dcf98995b8c\n{\"data\":[{\"serial_no\":\"5157F09EFDC096DE15EBE81A47057A7232F1B8E1\"}]}\n", message);
        Assert.True(WeChatPaySignatures.Verify(key, message, ResponseSignature));
        Assert.False(WeChatPaySignatures.Verify(key, message.Replace("5157", "5158", StringComparison.Ordinal), ResponseSignature));
    }

    [Fact]
    public void Rsa_verifies_node_signature_of_a_request_payment_message()
    {
        using var key = WeChatPem.LoadPublicKey(NodePublicKeyPem.Replace("\n", "\\n", StringComparison.Ordinal));
        var message = WeChatPaySignatures.RequestPaymentMessage("wxsandbox0000000001", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100");

        Assert.True(WeChatPaySignatures.Verify(key, message, RequestPaymentSignature));
    }

    [Fact]
    public void Request_message_is_method_url_timestamp_nonce_body_each_newline_terminated()
    {
        var message = WeChatPaySignatures.RequestMessage(
            "POST", "/v3/pay/transactions/jsapi", "1554208460", "593BEC0C930BF1AFEB40B4A08C8FB242", """{"appid":"wxd678efh567hg6787"}""");

        Assert.Equal("POST\n/v3/pay/transactions/jsapi\n1554208460\n593BEC0C930BF1AFEB40B4A08C8FB242\n{\"appid\":\"wxd678efh567hg6787\"}\n", message);
    }

    [Fact]
    public void Request_message_of_a_get_has_an_empty_body_line()
    {
        Assert.Equal(
            "GET\n/v3/pay/transactions/out-trade-no/A1%7Cb?mchid=1900000001\n1554208460\nabc\n\n",
            WeChatPaySignatures.RequestMessage("GET", "/v3/pay/transactions/out-trade-no/A1%7Cb?mchid=1900000001", "1554208460", "abc", string.Empty));
    }

    [Fact]
    public void Response_message_is_timestamp_nonce_body()
    {
        Assert.Equal("1554209980\nnonce\n{}\n", WeChatPaySignatures.ResponseMessage("1554209980", "nonce", "{}"));
    }

    [Fact]
    public void Request_payment_message_is_appid_timestamp_nonce_package()
    {
        Assert.Equal(
            "wx8888888888888888\n1414561699\n5K8264ILTKCH16CQ2502SI8ZNMTM67VS\nprepay_id=wx201410272009395522657a690389285100\n",
            WeChatPaySignatures.RequestPaymentMessage("wx8888888888888888", "1414561699", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS", "prepay_id=wx201410272009395522657a690389285100"));
    }

    [Fact]
    public void Authorization_header_has_the_documented_format()
    {
        var authorization = new WeChatPayAuthorization("1900009191", "593BEC0C930BF1AFEB40B4A08C8FB242", "uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==", "1554208460", "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C");

        Assert.Equal(
            "WECHATPAY2-SHA256-RSA2048 mchid=\"1900009191\",nonce_str=\"593BEC0C930BF1AFEB40B4A08C8FB242\",signature=\"uOVRnA4qG/MNnYzdQxJanN+zU+lTgIcnU9BxGw5dKjK+VdEUz2FeIoC+D5sB/LN+nGzX3hfZg6r5wT1pl2ZobmIc6p0ldN7J6yDgUzbX8Uk3sD4a4eZVPTBvqNDoUqcYMlZ9uuDdCvNv4TM3c1WzsXUrExwVkI1XO5jCNbgDJ25nkT/c1gIFvqoogl7MdSFGc4W4xZsqCItnqbypR3RuGIlR9h9vlRsy7zJR9PBI83X8alLDIfR1ukt1P7tMnmogZ0cuDY8cZsd8ZlCgLadmvej58SLsIkVxFJ8XyUgx9FmutKSYTmYtWBZ0+tNvfGmbXU7cob8H/4nLBiCwIUFluw==\",timestamp=\"1554208460\",serial_no=\"1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C\"",
            authorization.ToString());
        Assert.True(WeChatPayAuthorization.TryParse(authorization.ToString(), out var parsed));
        Assert.Equal(authorization, parsed);
    }

    [Theory]
    [InlineData("WECHATPAY2-SHA256-RSA2048 serial_no=\"S\",timestamp=\"1\",signature=\"a,b=\",nonce_str=\"n\",mchid=\"m\"", true)]
    [InlineData("WECHATPAY2-SHA256-RSA2048 mchid=\"m\",nonce_str=\"n\",signature=\"s\",timestamp=\"1\"", false)]
    [InlineData("Bearer abc", false)]
    [InlineData("WECHATPAY2-SHA256-RSA2048 mchid=m,nonce_str=\"n\",signature=\"s\",timestamp=\"1\",serial_no=\"S\"", false)]
    [InlineData(null, false)]
    public void Authorization_parsing_accepts_any_order_and_requires_all_quoted_parameters(string? header, bool valid)
    {
        Assert.Equal(valid, WeChatPayAuthorization.TryParse(header, out var parsed));
        if (valid)
        {
            Assert.Equal(new WeChatPayAuthorization("m", "n", "a,b=", "1", "S"), parsed);
        }
    }

    [Fact]
    public void Decrypt_rejects_a_vector_with_a_flipped_tag_bit()
    {
        var (key, nonce, associatedData, ciphertext) = ("00000000000000000000000000000000", "000000000000", "", Convert.FromBase64String("UD9H1ws2EmeHA2XYpgy012QCMmGtUHqAOxpgTA=="));
        ciphertext[^1] ^= 1;

        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, nonce, associatedData, Convert.ToBase64String(ciphertext)));
    }
}
