using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Pay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mall.Infrastructure.WeChat;

public static class WeChatServiceCollectionExtensions
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Registers <see cref="IWeChatLogin"/>, <see cref="IWeChatMiniProgram"/> and <see cref="IWeChatPay"/> from the
    /// <c>WeChat</c> and <c>WeChatPay</c> configuration sections, validated when the host starts.
    /// </summary>
    public static IServiceCollection AddWeChat(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);

        services.AddOptions<WeChatOptions>().Bind(configuration.GetSection(WeChatOptions.Section)).ValidateOnStart();
        services.AddOptions<WeChatPayOptions>().Bind(configuration.GetSection(WeChatPayOptions.Section)).ValidateOnStart();
        // WeChatOptionsValidator, WeChatPayOptionsValidator and the wake-up text's WakeUpMessageValidator.
        services.AddSettingsValidators(typeof(WeChatServiceCollectionExtensions).Assembly);

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WeChatOptions>>().Value;
            return new MiniProgramCredentials(options.AppId, options.AppSecret);
        });
        services.AddSingleton<AccessTokenCache>();
        services.AddHttpClient<MiniProgramClient>((provider, http) =>
        {
            http.BaseAddress = ApiRoot(provider.GetRequiredService<IOptions<WeChatOptions>>().Value.ApiBaseUrl);
            http.Timeout = HttpTimeout;
        });

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value;
            return WeChatPayMerchant.FromPem(options.MchId, options.MerchantSerialNo, options.MerchantPrivateKey);
        });
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value.CreateKeySet());
        services.AddSingleton(provider => new WeChatPaySignatureVerifier(
            provider.GetRequiredService<WeChatPayKeySet>(),
            provider.GetRequiredService<TimeProvider>(),
            TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value.MaxClockSkewSeconds)));
        services.AddHttpClient<WeChatPayClient>((provider, http) =>
        {
            http.BaseAddress = ApiRoot(provider.GetRequiredService<IOptions<WeChatPayOptions>>().Value.BaseUrl);
            http.Timeout = HttpTimeout;
        });

        services.AddSingleton<IReadinessCheck>(new WeChatReadiness(configuration));
        services.AddTransient<IWeChatLogin, WeChatLoginAdapter>();
        services.AddTransient<IWeChatMiniProgram, WeChatMiniProgramAdapter>();
        services.AddTransient<IWeChatPay, WeChatPayAdapter>();
        return services;
    }

    // A trailing slash keeps a configured path prefix when the clients resolve their relative API paths.
    private static Uri ApiRoot(string baseUrl) => new(baseUrl.EndsWith('/') ? baseUrl : baseUrl + "/");
}
