using System.Text;
using Mall.Application.Reactivation;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;
using Microsoft.Extensions.Options;

namespace Mall.Infrastructure.WeChat;

/// <summary>Configuration section <c>WeChat</c>: the mini-program.</summary>
public sealed class WeChatOptions
{
    public const string Section = "WeChat";

    public string AppId { get; set; } = string.Empty;

    public string AppSecret { get; set; } = string.Empty;

    public string ApiBaseUrl { get; set; } = "https://api.weixin.qq.com";
}

/// <summary>Configuration section <c>WeChatPay</c>: the merchant account (API v3). The JSAPI appid is <c>WeChat:AppId</c>.</summary>
public sealed class WeChatPayOptions
{
    public const string Section = "WeChatPay";

    public string MchId { get; set; } = string.Empty;

    /// <summary>Serial number of the merchant API certificate.</summary>
    public string MerchantSerialNo { get; set; } = string.Empty;

    /// <summary>PEM; literal "\n" escapes are accepted.</summary>
    public string MerchantPrivateKey { get; set; } = string.Empty;

    public string ApiV3Key { get; set; } = string.Empty;

    /// <summary>PEM X.509 platform certificates; blank entries (placeholders) are ignored.</summary>
    public string[] PlatformCertificates { get; set; } = [];

    /// <summary>WeChat Pay public keys; entries with neither id nor PEM (placeholders) are ignored.</summary>
    public WeChatPayPublicKeyOptions[] PublicKeys { get; set; } = [];

    public string BaseUrl { get; set; } = "https://api.mch.weixin.qq.com";

    public string PaymentNotifyUrl { get; set; } = string.Empty;

    public string RefundNotifyUrl { get; set; } = string.Empty;

    public int MaxClockSkewSeconds { get; set; } = 300;

    /// <summary>The verification keys the settings describe.</summary>
    /// <exception cref="ArgumentException">A certificate or key does not parse.</exception>
    public WeChatPayKeySet CreateKeySet() => WeChatPayKeySet.Create(
        PlatformCertificates.Where(pem => !string.IsNullOrWhiteSpace(pem)),
        PublicKeys.Where(key => !string.IsNullOrWhiteSpace(key.Id) || !string.IsNullOrWhiteSpace(key.Pem))
            .Select(key => new WeChatPayPublicKey(key.Id, key.Pem)));
}

public sealed class WeChatPayPublicKeyOptions
{
    /// <summary><c>PUB_KEY_ID_…</c>, as shown in the merchant platform.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>PEM SubjectPublicKeyInfo; literal "\n" escapes are accepted.</summary>
    public string Pem { get; set; } = string.Empty;
}

internal sealed class WeChatOptionsValidator : IValidateOptions<WeChatOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatOptions options)
    {
        var errors = new List<string>();
        Required(errors, "WeChat:AppId", options.AppId);
        Required(errors, "WeChat:AppSecret", options.AppSecret);
        AbsoluteUrl(errors, "WeChat:ApiBaseUrl", options.ApiBaseUrl);
        return Result(errors);
    }

    internal static void Required(List<string> errors, string key, string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{key} is required.");
        }
    }

    internal static void AbsoluteUrl(List<string> errors, string key, string value)
    {
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add($"{key} must be an absolute http(s) URL (got '{value}').");
        }
    }

    internal static ValidateOptionsResult Result(List<string> errors) =>
        errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
}

internal sealed class WeChatPayOptionsValidator : IValidateOptions<WeChatPayOptions>
{
    public ValidateOptionsResult Validate(string? name, WeChatPayOptions options)
    {
        var errors = new List<string>();
        WeChatOptionsValidator.Required(errors, "WeChatPay:MchId", options.MchId);
        WeChatOptionsValidator.Required(errors, "WeChatPay:MerchantSerialNo", options.MerchantSerialNo);
        if (string.IsNullOrWhiteSpace(options.MerchantPrivateKey))
        {
            errors.Add("WeChatPay:MerchantPrivateKey is required (PEM of the merchant API private key).");
        }
        else
        {
            Parses(errors, "WeChatPay:MerchantPrivateKey", () => WeChatPayMerchant.FromPem("validation", "validation", options.MerchantPrivateKey));
        }

        var apiV3KeyBytes = Encoding.UTF8.GetByteCount(options.ApiV3Key);
        if (apiV3KeyBytes != 32 || options.ApiV3Key.Length != 32)
        {
            errors.Add($"WeChatPay:ApiV3Key must be exactly 32 ASCII characters (it has {options.ApiV3Key.Length}).");
        }

        foreach (var key in options.PublicKeys.Where(key => !string.IsNullOrWhiteSpace(key.Pem) && !key.Id.StartsWith("PUB_KEY_ID_", StringComparison.Ordinal)))
        {
            errors.Add($"WeChatPay:PublicKeys Id '{key.Id}' must be the PUB_KEY_ID_… id shown with the key.");
        }

        Parses(errors, "WeChatPay:PlatformCertificates / WeChatPay:PublicKeys", () =>
        {
            var keySet = options.CreateKeySet();
            if (keySet.Serials.Count == 0)
            {
                errors.Add("WeChatPay needs at least one WeChatPay:PlatformCertificates entry or WeChatPay:PublicKeys entry to verify WeChat Pay's signatures.");
            }

            return keySet;
        });

        WeChatOptionsValidator.AbsoluteUrl(errors, "WeChatPay:BaseUrl", options.BaseUrl);
        WeChatOptionsValidator.AbsoluteUrl(errors, "WeChatPay:PaymentNotifyUrl", options.PaymentNotifyUrl);
        WeChatOptionsValidator.AbsoluteUrl(errors, "WeChatPay:RefundNotifyUrl", options.RefundNotifyUrl);
        if (options.MaxClockSkewSeconds <= 0)
        {
            errors.Add("WeChatPay:MaxClockSkewSeconds must be positive.");
        }

        return WeChatOptionsValidator.Result(errors);
    }

    private static void Parses(List<string> errors, string key, Func<IDisposable> load)
    {
        try
        {
            load().Dispose();
        }
        catch (ArgumentException exception)
        {
            errors.Add($"{key}: {exception.Message}");
        }
    }
}

/// <summary>
/// The wake-up text goes out as a template <c>thing</c> value: a text WeChat refuses would fail every recall
/// message of every run, so it is refused when the host starts.
/// </summary>
internal sealed class WakeUpMessageValidator : IValidateOptions<ReactivationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReactivationOptions options) =>
        string.IsNullOrEmpty(options.MessageTemplateId)
        || SubscribeMessageRules.FindViolation([KeyValuePair.Create(ReactivationOptions.MessageTextKey, options.MessageText)]) is not { } violation
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Reactivation:MessageText breaks WeChat's rule for {violation}.");
}
