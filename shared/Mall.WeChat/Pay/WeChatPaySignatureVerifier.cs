namespace Mall.WeChat.Pay;

public enum WeChatPaySignatureFailure
{
    /// <summary>A Wechatpay-* header is missing or malformed.</summary>
    MissingHeaders,

    /// <summary>Wechatpay-Serial names no configured platform certificate or public key.</summary>
    UnknownSerial,

    /// <summary>Wechatpay-Timestamp is further from now than the allowed skew (either direction).</summary>
    StaleTimestamp,

    /// <summary>The signature does not verify (or is WeChat's SIGNTEST probe).</summary>
    InvalidSignature,
}

public sealed class WeChatPaySignatureException : Exception
{
    public WeChatPaySignatureException(WeChatPaySignatureFailure failure, string message)
        : base(message)
    {
        Failure = failure;
    }

    public WeChatPaySignatureException()
        : this(WeChatPaySignatureFailure.InvalidSignature, "The WeChat Pay signature is invalid.")
    {
    }

    public WeChatPaySignatureException(string message)
        : this(WeChatPaySignatureFailure.InvalidSignature, message)
    {
    }

    public WeChatPaySignatureException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failure = WeChatPaySignatureFailure.InvalidSignature;
    }

    public WeChatPaySignatureFailure Failure { get; }
}

/// <summary>A response or notification as signed by WeChat Pay: the four Wechatpay-* headers and the exact body.</summary>
public sealed record WeChatPaySignedMessage(string Timestamp, string Nonce, string Signature, string Serial, string Body)
{
    /// <summary>Reads the Wechatpay-* headers (names compared case-insensitively).</summary>
    /// <exception cref="WeChatPaySignatureException"><see cref="WeChatPaySignatureFailure.MissingHeaders"/>.</exception>
    public static WeChatPaySignedMessage FromHeaders(IEnumerable<KeyValuePair<string, string>> headers, string body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in headers)
        {
            byName[name] = value;
        }

        return new WeChatPaySignedMessage(
            Require(byName, WeChatPayHeaders.Timestamp),
            Require(byName, WeChatPayHeaders.Nonce),
            Require(byName, WeChatPayHeaders.Signature),
            Require(byName, WeChatPayHeaders.Serial),
            body);
    }

    private static string Require(Dictionary<string, string> headers, string name) =>
        headers.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)
            ? value.Trim()
            : throw new WeChatPaySignatureException(WeChatPaySignatureFailure.MissingHeaders, $"Header {name} is missing.");
}

/// <summary>Verifies messages signed by WeChat Pay against a key set, with a replay window on the timestamp.</summary>
public sealed class WeChatPaySignatureVerifier
{
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromMinutes(5);

    private readonly WeChatPayKeySet keys;
    private readonly TimeProvider timeProvider;
    private readonly TimeSpan maxClockSkew;

    public WeChatPaySignatureVerifier(WeChatPayKeySet keys, TimeProvider timeProvider, TimeSpan? maxClockSkew = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.keys = keys;
        this.timeProvider = timeProvider;
        this.maxClockSkew = maxClockSkew ?? DefaultMaxClockSkew;
    }

    /// <exception cref="WeChatPaySignatureException">The message is not genuinely and recently signed by WeChat Pay.</exception>
    public void Verify(WeChatPaySignedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!keys.TryGetKey(message.Serial, out var key))
        {
            throw new WeChatPaySignatureException(WeChatPaySignatureFailure.UnknownSerial, $"Unknown Wechatpay-Serial '{message.Serial}'.");
        }

        if (!WeChatPaySignatures.TryParseTimestamp(message.Timestamp, out var signedAt))
        {
            throw new WeChatPaySignatureException(WeChatPaySignatureFailure.MissingHeaders, "Wechatpay-Timestamp is not a Unix time.");
        }

        var offset = signedAt - timeProvider.GetUtcNow();
        if (offset.Duration() > maxClockSkew)
        {
            var direction = offset < TimeSpan.Zero ? "in the past" : "in the future";
            throw new WeChatPaySignatureException(
                WeChatPaySignatureFailure.StaleTimestamp,
                $"Wechatpay-Timestamp is {offset.Duration().TotalSeconds:0} s {direction} (at most {maxClockSkew.TotalSeconds:0} s either way).");
        }

        if (message.Signature.StartsWith(WeChatPaySignatures.SignTestPrefix, StringComparison.Ordinal)
            || !WeChatPaySignatures.Verify(key, WeChatPaySignatures.ResponseMessage(message.Timestamp, message.Nonce, message.Body), message.Signature))
        {
            throw new WeChatPaySignatureException(WeChatPaySignatureFailure.InvalidSignature, "Wechatpay-Signature does not verify.");
        }
    }
}
