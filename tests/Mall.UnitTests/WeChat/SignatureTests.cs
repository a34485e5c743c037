using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Mall.WeChat;
using Mall.WeChat.Pay;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>Round trips with keys generated at run time, and the ways a signed message can be wrong.</summary>
public sealed class SignatureTests : IDisposable
{
    private const string PublicKeyId = "PUB_KEY_ID_0114232134912410000000000000";
    private const string Body = """{"id":"EV-2018022511223320873","event_type":"TRANSACTION.SUCCESS"}""";

    private readonly RSA platformKey = RSA.Create(2048);
    private readonly FakeTimeProvider time = new(new DateTimeOffset(2024, 5, 20, 12, 0, 0, TimeSpan.Zero));
    private readonly WeChatPayKeySet keys;
    private readonly WeChatPaySignatureVerifier verifier;

    public SignatureTests()
    {
        keys = WeChatPayKeySet.Create([], [new WeChatPayPublicKey(PublicKeyId, platformKey.ExportSubjectPublicKeyInfoPem())]);
        verifier = new WeChatPaySignatureVerifier(keys, time, TimeSpan.FromSeconds(300));
    }

    public void Dispose()
    {
        keys.Dispose();
        platformKey.Dispose();
    }

    [Fact]
    public void A_genuinely_signed_message_verifies()
    {
        verifier.Verify(Signed(Body, time.GetUtcNow()));
    }

    [Fact]
    public void Headers_are_found_whatever_their_case()
    {
        var headers = new WeChatPayPlatformSigner(PublicKeyId, platformKey).Sign(Body, time.GetUtcNow())
            .Select(header => KeyValuePair.Create(header.Key.ToLowerInvariant(), header.Value));

        verifier.Verify(WeChatPaySignedMessage.FromHeaders(headers, Body));
    }

    [Fact]
    public void A_missing_header_is_reported_as_such()
    {
        var headers = new WeChatPayPlatformSigner(PublicKeyId, platformKey).Sign(Body, time.GetUtcNow())
            .Where(header => header.Key != WeChatPayHeaders.Nonce);

        var exception = Assert.Throws<WeChatPaySignatureException>(() => WeChatPaySignedMessage.FromHeaders(headers, Body));
        Assert.Equal(WeChatPaySignatureFailure.MissingHeaders, exception.Failure);
    }

    [Fact]
    public void A_flipped_byte_in_the_body_is_rejected()
    {
        var message = Signed(Body, time.GetUtcNow());

        AssertFails(WeChatPaySignatureFailure.InvalidSignature, message with { Body = Body.Replace("SUCCESS", "SUCCESs", StringComparison.Ordinal) });
    }

    [Fact]
    public void An_unknown_serial_is_rejected()
    {
        AssertFails(WeChatPaySignatureFailure.UnknownSerial, Signed(Body, time.GetUtcNow()) with { Serial = "PUB_KEY_ID_0114232134912410000000000001" });
    }

    [Fact]
    public void A_signature_by_another_key_is_rejected()
    {
        using var otherKey = RSA.Create(2048);
        var headers = new WeChatPayPlatformSigner(PublicKeyId, otherKey).Sign(Body, time.GetUtcNow());

        AssertFails(WeChatPaySignatureFailure.InvalidSignature, WeChatPaySignedMessage.FromHeaders(headers, Body));
    }

    [Theory]
    [InlineData(-300, true)]
    [InlineData(300, true)]
    [InlineData(-301, false)]
    [InlineData(301, false)]
    [InlineData(-86_400, false)]
    public void Timestamps_within_the_window_pass_and_beyond_it_fail_in_both_directions(int offsetSeconds, bool accepted)
    {
        var message = Signed(Body, time.GetUtcNow().AddSeconds(offsetSeconds));

        if (accepted)
        {
            verifier.Verify(message);
        }
        else
        {
            AssertFails(WeChatPaySignatureFailure.StaleTimestamp, message);
        }
    }

    [Theory]
    [InlineData(-600, "600 s in the past")]
    [InlineData(600, "600 s in the future")]
    public void A_stale_timestamp_says_which_way_it_is_off(int offsetSeconds, string expected)
    {
        var exception = Assert.Throws<WeChatPaySignatureException>(() => verifier.Verify(Signed(Body, time.GetUtcNow().AddSeconds(offsetSeconds))));

        Assert.Contains(expected, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_signtest_probe_is_never_valid()
    {
        AssertFails(WeChatPaySignatureFailure.InvalidSignature, Signed(Body, time.GetUtcNow()) with { Signature = "WECHATPAY/SIGNTEST/" + Convert.ToBase64String(new byte[256]) });
    }

    [Theory]
    [InlineData("not base64!")]
    [InlineData("")]
    public void A_malformed_signature_is_invalid_not_an_error(string signature)
    {
        Assert.False(WeChatPaySignatures.Verify(platformKey, "message\n", signature));
    }

    [Fact]
    public void A_timestamp_that_is_not_a_number_is_a_malformed_header()
    {
        AssertFails(WeChatPaySignatureFailure.MissingHeaders, Signed(Body, time.GetUtcNow()) with { Timestamp = "12:00" });
    }

    [Fact]
    public void Request_payment_and_request_signatures_verify_with_the_merchant_public_key()
    {
        using var merchantKey = RSA.Create(2048);
        using var merchant = WeChatPayMerchant.FromPem("1900000001", "SERIAL", merchantKey.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal));

        var paySign = merchant.SignRequestPayment("wxapp", "1700000000", "nonce", "prepay_id=wx1");
        var authorization = merchant.Authorize("GET", "/v3/refund/domestic/refunds/R1", string.Empty, "1700000000", "nonce2");

        Assert.True(WeChatPaySignatures.Verify(merchantKey, WeChatPaySignatures.RequestPaymentMessage("wxapp", "1700000000", "nonce", "prepay_id=wx1"), paySign));
        Assert.True(WeChatPaySignatures.Verify(merchantKey, WeChatPaySignatures.RequestMessage("GET", "/v3/refund/domestic/refunds/R1", "1700000000", "nonce2", string.Empty), authorization.Signature));
        Assert.Equal(("1900000001", "SERIAL", "1700000000", "nonce2"), (authorization.MchId, authorization.SerialNo, authorization.Timestamp, authorization.NonceStr));
    }

    [Fact]
    public void Platform_certificates_and_public_keys_are_both_live_and_chosen_by_serial()
    {
        using var certificateKey = RSA.Create(2048);

        // A serial with its high bit set: X.509 pads it with 00, WeChat renders it without.
        byte[] serialBytes = [0x80, .. RandomNumberGenerator.GetBytes(15)];
        using var certificate = SelfSigned(certificateKey, serialBytes);
        var weChatSerial = Convert.ToHexString(serialBytes);
        Assert.StartsWith("00", certificate.SerialNumber, StringComparison.Ordinal);

        using var both = WeChatPayKeySet.Create(
            [certificate.ExportCertificatePem().Replace("\n", "\\n", StringComparison.Ordinal)],
            [new WeChatPayPublicKey(PublicKeyId, platformKey.ExportSubjectPublicKeyInfoPem())]);
        var bothVerifier = new WeChatPaySignatureVerifier(both, time);

        bothVerifier.Verify(WeChatPaySignedMessage.FromHeaders(new WeChatPayPlatformSigner(weChatSerial, certificateKey).Sign(Body, time.GetUtcNow()), Body));
        bothVerifier.Verify(WeChatPaySignedMessage.FromHeaders(new WeChatPayPlatformSigner(weChatSerial.ToLowerInvariant(), certificateKey).Sign(Body, time.GetUtcNow()), Body));
        bothVerifier.Verify(Signed(Body, time.GetUtcNow()));

        // The certificate's serial does not unlock the public key, nor the other way round.
        var crossed = WeChatPaySignedMessage.FromHeaders(new WeChatPayPlatformSigner(weChatSerial, platformKey).Sign(Body, time.GetUtcNow()), Body);
        Assert.Throws<WeChatPaySignatureException>(() => bothVerifier.Verify(crossed));
    }

    [Fact]
    public void A_key_set_rejects_garbage_and_duplicate_ids()
    {
        Assert.Throws<ArgumentException>(() => WeChatPayKeySet.Create(["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"], []));
        Assert.Throws<ArgumentException>(() => WeChatPayKeySet.Create([], [new WeChatPayPublicKey(PublicKeyId, "not a key")]));
        var pem = platformKey.ExportSubjectPublicKeyInfoPem();
        Assert.Throws<ArgumentException>(() => WeChatPayKeySet.Create([], [new WeChatPayPublicKey(PublicKeyId, pem), new WeChatPayPublicKey(PublicKeyId, pem)]));
    }

    [Fact]
    public void Aead_round_trips_and_fails_on_wrong_key_tampered_data_or_associated_data()
    {
        const string key = "0123456789abcdefghijABCDEFGHIJ01";
        const string nonce = "abcdefghijkl";
        var ciphertext = WeChatPayAead.Encrypt(key, nonce, "transaction", "{\"trade_state\":\"SUCCESS\",\"desc\":\"支付成功\"}");

        Assert.Equal("{\"trade_state\":\"SUCCESS\",\"desc\":\"支付成功\"}", WeChatPayAead.Decrypt(key, nonce, "transaction", ciphertext));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt("0123456789abcdefghijABCDEFGHIJ02", nonce, "transaction", ciphertext));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, nonce, "refund", ciphertext));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, "abcdefghijkm", "transaction", ciphertext));
        var flipped = Convert.FromBase64String(ciphertext);
        flipped[3] ^= 0x20;
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, nonce, "transaction", Convert.ToBase64String(flipped)));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, nonce, "transaction", "%%%"));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayAead.Decrypt(key, "short", "transaction", ciphertext));
        Assert.Throws<ArgumentException>(() => WeChatPayAead.Decrypt("too short", nonce, "transaction", ciphertext));
    }

    [Fact]
    public void Notifications_seal_and_open_with_the_apiv3_key()
    {
        const string key = "0123456789abcdefghijABCDEFGHIJ01";
        var envelope = WeChatPayNotifications.Seal("id-1", time.GetUtcNow(), NotificationEventTypes.TransactionSuccess, "支付成功", "transaction", "{\"a\":1}", key);

        Assert.Equal(("AEAD_AES_256_GCM", "transaction", "transaction", 12), (envelope.Resource!.Algorithm, envelope.Resource.OriginalType, envelope.Resource.AssociatedData, envelope.Resource.Nonce!.Length));
        Assert.Equal("{\"a\":1}", WeChatPayNotifications.Open(WeChatJson.Deserialize<NotificationEnvelope>(WeChatJson.Serialize(envelope)), key));
        Assert.ThrowsAny<CryptographicException>(() => WeChatPayNotifications.Open(envelope with { Resource = envelope.Resource with { Algorithm = "AEAD_SM4_GCM" } }, key));
    }

    [Fact]
    public void Times_are_written_in_beijing_time_without_fractions()
    {
        var transaction = new Transaction { SuccessTime = new DateTimeOffset(2024, 1, 1, 4, 0, 0, 123, TimeSpan.Zero) };

        Assert.Equal("""{"success_time":"2024-01-01T12:00:00+08:00"}""", WeChatJson.Serialize(transaction));
        Assert.Equal(transaction.SuccessTime.Value.AddMilliseconds(-123), WeChatJson.Deserialize<Transaction>("""{"success_time":"2024-01-01T04:00:00Z"}""").SuccessTime);
    }

    private X509Certificate2 SelfSigned(RSA key, byte[] serial)
    {
        var request = new CertificateRequest("CN=Test Platform", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.Create(request.SubjectName, X509SignatureGenerator.CreateForRSA(key, RSASignaturePadding.Pkcs1), time.GetUtcNow().AddDays(-1), time.GetUtcNow().AddDays(1), serial);
    }

    private WeChatPaySignedMessage Signed(string body, DateTimeOffset at) =>
        WeChatPaySignedMessage.FromHeaders(new WeChatPayPlatformSigner(PublicKeyId, platformKey).Sign(body, at), body);

    private void AssertFails(WeChatPaySignatureFailure failure, WeChatPaySignedMessage message)
    {
        var exception = Assert.Throws<WeChatPaySignatureException>(() => verifier.Verify(message));
        Assert.Equal(failure, exception.Failure);
    }
}
