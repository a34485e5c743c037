using Mall.Infrastructure.WeChat;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mall.UnitTests.WeChat;

/// <summary>AddWeChat binds and validates its settings with messages that name the setting at fault.</summary>
[Collection(SandboxCollection.Name)]
public sealed class WeChatOptionsTests
{
    private readonly WeChatSandbox sandbox;

    public WeChatOptionsTests(SandboxFixture fixture)
    {
        sandbox = fixture.Sandbox;
    }

    [Fact]
    public void The_sandbox_settings_plus_notify_urls_are_valid()
    {
        using var services = Build(Settings());

        Assert.Equal(300, services.GetRequiredService<IOptions<WeChatPayOptions>>().Value.MaxClockSkewSeconds);
        Assert.Equal("https://api.mch.weixin.qq.com", new WeChatPayOptions().BaseUrl);
        Assert.Equal("https://api.weixin.qq.com", new WeChatOptions().ApiBaseUrl);
    }

    [Fact]
    public void Empty_settings_name_every_missing_value()
    {
        using var services = Build(new Dictionary<string, string?>());

        var weChat = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WeChatOptions>>().Value);
        var pay = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WeChatPayOptions>>().Value);

        Assert.Contains("WeChat:AppId is required.", weChat.Failures);
        Assert.Contains("WeChat:AppSecret is required.", weChat.Failures);
        foreach (var expected in new[] { "WeChatPay:MchId", "WeChatPay:MerchantSerialNo", "WeChatPay:MerchantPrivateKey", "WeChatPay:ApiV3Key", "at least one", "WeChatPay:PaymentNotifyUrl", "WeChatPay:RefundNotifyUrl" })
        {
            Assert.Contains(pay.Failures, failure => failure.Contains(expected, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Bad_values_are_explained()
    {
        var settings = Settings();
        settings["WeChatPay:ApiV3Key"] = "LOCAL-ONLY-apiv3-key-0000000000";
        settings["WeChatPay:MerchantPrivateKey"] = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----";
        settings["WeChatPay:PublicKeys:0:Id"] = "1234";
        settings["WeChatPay:MaxClockSkewSeconds"] = "0";
        settings["WeChat:ApiBaseUrl"] = "api.weixin.qq.com";
        using var services = Build(settings);

        var pay = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WeChatPayOptions>>().Value);
        var weChat = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WeChatOptions>>().Value);

        Assert.Contains("WeChatPay:ApiV3Key must be exactly 32 ASCII characters (it has 31).", pay.Failures);
        Assert.Contains(pay.Failures, failure => failure.StartsWith("WeChatPay:MerchantPrivateKey: Not a PEM RSA private key", StringComparison.Ordinal));
        Assert.Contains(pay.Failures, failure => failure.Contains("'1234' must be the PUB_KEY_ID_", StringComparison.Ordinal));
        Assert.Contains("WeChatPay:MaxClockSkewSeconds must be positive.", pay.Failures);
        Assert.Contains("WeChat:ApiBaseUrl must be an absolute http(s) URL (got 'api.weixin.qq.com').", weChat.Failures);
    }

    [Fact]
    public void Blank_placeholders_are_ignored_but_one_verification_key_is_required()
    {
        var settings = Settings();
        settings["WeChatPay:PlatformCertificates:0"] = string.Empty;
        settings["WeChatPay:PublicKeys:0:Id"] = string.Empty;
        settings["WeChatPay:PublicKeys:0:Pem"] = string.Empty;
        using var services = Build(settings);

        var pay = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<WeChatPayOptions>>().Value);

        Assert.Equal(
            "WeChatPay needs at least one WeChatPay:PlatformCertificates entry or WeChatPay:PublicKeys entry to verify WeChat Pay's signatures.",
            Assert.Single(pay.Failures));
    }

    [Fact]
    public void Pem_values_with_literal_newline_escapes_are_accepted()
    {
        var settings = Settings();
        foreach (var key in new[] { "WeChatPay:MerchantPrivateKey", "WeChatPay:PlatformCertificates:0", "WeChatPay:PublicKeys:0:Pem" })
        {
            settings[key] = settings[key]!.Replace("\n", "\\n", StringComparison.Ordinal);
        }

        using var services = Build(settings);

        Assert.NotNull(services.GetRequiredService<IOptions<WeChatPayOptions>>().Value);
    }

    [Fact]
    public async Task A_host_with_invalid_settings_fails_to_start_with_the_messages()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddWeChat(builder.Configuration);
        using var host = builder.Build();

        // Both sections fail, so the host reports them together.
        var exception = await Assert.ThrowsAsync<AggregateException>(() => host.StartAsync());

        Assert.All(exception.InnerExceptions, inner => Assert.IsType<OptionsValidationException>(inner));
        Assert.Contains("WeChat:AppId is required.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("WeChatPay:MchId is required.", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("好久不见，回归礼券已放入您的账户", "TPL_WAKEUP", true)]
    [InlineData("好久不见，您的专属回归礼券已经放入您的账户", "TPL_WAKEUP", false)]
    [InlineData("好久不见，您的专属回归礼券已经放入您的账户", "", true)]
    public void A_wake_up_text_WeChat_would_refuse_is_refused_at_start(string text, string templateId, bool valid)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reactivation:MessageText"] = text,
            ["Reactivation:MessageTemplateId"] = templateId,
        }).Build();
        var collection = new ServiceCollection().AddWeChat(configuration);
        collection.AddOptions<Mall.Application.Reactivation.ReactivationOptions>().Bind(configuration.GetSection("Reactivation"));
        using var services = collection.BuildServiceProvider();

        var read = () => services.GetRequiredService<IOptions<Mall.Application.Reactivation.ReactivationOptions>>().Value;

        if (valid)
        {
            Assert.Equal(text, read().MessageText);
        }
        else
        {
            Assert.Contains("Reactivation:MessageText", Assert.Single(Assert.Throws<OptionsValidationException>(read).Failures), StringComparison.Ordinal);
        }
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings) =>
        new ServiceCollection().AddWeChat(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();

    private Dictionary<string, string?> Settings()
    {
        var settings = sandbox.MallSettings.ToDictionary(setting => setting.Key, setting => (string?)setting.Value);
        settings["WeChatPay:PaymentNotifyUrl"] = "https://mall.example.com/api/payments/wechat/notify";
        settings["WeChatPay:RefundNotifyUrl"] = "https://mall.example.com/api/payments/wechat/refund-notify";
        return settings;
    }
}
