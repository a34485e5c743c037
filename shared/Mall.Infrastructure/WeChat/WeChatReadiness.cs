using Mall.Application.Platform;
using Microsoft.Extensions.Configuration;

namespace Mall.Infrastructure.WeChat;

/// <summary>
/// The WeChat settings, read again as they stand and checked by the same rules as at start (app id and secret,
/// merchant id, key serial and private key, APIv3 key, the keys that verify WeChat Pay): the answer names the
/// settings at fault and the public ids, never a secret. No call to WeChat: its availability is not the mall's.
/// </summary>
public sealed class WeChatReadiness(IConfiguration configuration) : IReadinessCheck
{
    public string Name => "weChat";

    public bool Required => true;

    public Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
    {
        var app = configuration.GetSection(WeChatOptions.Section).Get<WeChatOptions>() ?? new WeChatOptions();
        var pay = configuration.GetSection(WeChatPayOptions.Section).Get<WeChatPayOptions>() ?? new WeChatPayOptions();
        if (string.IsNullOrWhiteSpace(app.AppId) && string.IsNullOrWhiteSpace(pay.MchId))
        {
            return Task.FromResult(new DependencyCheck(DependencyStatus.NotConfigured, "WeChat:AppId and WeChatPay:MchId are not set."));
        }

        var failures = new[] { new WeChatOptionsValidator().Validate(null, app), new WeChatPayOptionsValidator().Validate(null, pay) }
            .SelectMany(result => result.Failures ?? []).ToList();
        return Task.FromResult(failures.Count > 0
            ? new DependencyCheck(DependencyStatus.Down, string.Join(" ", failures))
            : new DependencyCheck(DependencyStatus.Up, $"Mini-program {app.AppId}, merchant {pay.MchId}: settings complete and well formed."));
    }
}
