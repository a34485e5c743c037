using System.Text.Json.Nodes;

namespace Mall.InfraBicep.Tests;

/// <summary>
/// Keeps the template and the configuration contract (local.settings.sample.json) from drifting:
/// every key the app reads is set in Azure, or is listed in infra-bicep/local-only-settings.json
/// with what replaces it (and explained in the README); the template sets nothing unknown.
/// </summary>
[Collection(BicepCollection.Name)]
public sealed class SettingsContractTests(CompiledTemplate compiled)
{
    public static readonly string[] SecretSettings =
    [
        "Auth__SessionSigningKey",
        "Security__DataProtectionKey",
        "Admin__Users__0__PasswordHash",
        "WeChat__AppSecret",
        "WeChatPay__MerchantPrivateKey",
        "WeChatPay__ApiV3Key",
    ];

    // Settings only Azure needs: identity-based host storage, the app's credential, telemetry.
    private static readonly string[] AzureOnlySettings =
    [
        "AzureWebJobsStorage__accountName",
        "AzureWebJobsStorage__credential",
        "AzureWebJobsStorage__clientId",
        "AZURE_CLIENT_ID",
        "APPLICATIONINSIGHTS_CONNECTION_STRING",
        "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    ];

    private HashSet<string> SampleKeys =>
        [.. JsonNode.Parse(File.ReadAllText(compiled.Paths.SampleSettings))!["Values"]!.AsObject().Select(value => value.Key)];

    private Dictionary<string, string> LocalOnly =>
        JsonNode.Parse(File.ReadAllText(compiled.Paths.LocalOnlySettings))!["settings"]!.AsObject()
            .ToDictionary(entry => entry.Key, entry => entry.Value!.GetValue<string>());

    private HashSet<string> AppSettingKeys => [.. compiled.AppSettings.Select(setting => setting.Key)];

    [Fact]
    public void Every_sample_setting_is_an_app_setting_or_documented_as_local_only()
    {
        var unaccounted = SampleKeys.Except(AppSettingKeys).Except(LocalOnly.Keys).Order().ToList();
        Assert.True(unaccounted.Count == 0,
            "Set these in infra-bicep/modules/function-app.bicep or list them in infra-bicep/local-only-settings.json: " + string.Join(", ", unaccounted));
    }

    [Fact]
    public void Local_only_list_has_no_stale_or_contradicting_entries()
    {
        var localOnly = LocalOnly;
        Assert.Empty(localOnly.Keys.Except(SampleKeys));
        Assert.Empty(localOnly.Keys.Intersect(AppSettingKeys));
        Assert.All(localOnly, entry => Assert.False(string.IsNullOrWhiteSpace(entry.Value), $"{entry.Key} needs a reason."));
    }

    [Fact]
    public void Local_only_settings_are_explained_in_the_readme()
    {
        var readme = File.ReadAllText(compiled.Paths.InfraReadme);
        Assert.All(LocalOnly.Keys, key => Assert.Contains($"`{key}`", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void Template_sets_no_unknown_settings()
    {
        // Catches typos: an app setting the app never reads silently leaves the default in force.
        var unknown = AppSettingKeys.Except(SampleKeys).Except(AzureOnlySettings).Order().ToList();
        Assert.True(unknown.Count == 0, "App settings not in local.settings.sample.json: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Secrets_are_key_vault_references_named_after_the_setting()
    {
        var settings = compiled.AppSettings;
        foreach (var key in SecretSettings)
        {
            Assert.True(SampleKeys.Contains(key), $"{key} is not in local.settings.sample.json.");
            var value = settings[key]?.ToString() ?? string.Empty;
            Assert.Contains("@Microsoft.KeyVault(SecretUri=", value, StringComparison.Ordinal);
            Assert.Contains($"secrets/{key.Replace("__", "--", StringComparison.Ordinal)}/", value, StringComparison.Ordinal);
        }

        var otherReferences = settings.Where(setting => !SecretSettings.Contains(setting.Key)
            && (setting.Value?.ToString() ?? string.Empty).Contains("@Microsoft.KeyVault", StringComparison.Ordinal));
        Assert.Empty(otherReferences);
    }

    [Fact]
    public void Azure_values_replace_the_local_ones()
    {
        var settings = compiled.AppSettings;
        Assert.Equal("Production", settings["AZURE_FUNCTIONS_ENVIRONMENT"]?.ToString());
        Assert.Contains("tableEndpoint", settings["Storage__TableServiceUri"]?.ToString(), StringComparison.Ordinal);
        Assert.Contains("queueEndpoint", settings["Storage__QueueServiceUri"]?.ToString(), StringComparison.Ordinal);
        Assert.Contains("serviceBusNamespaceFqdn", settings["Messaging__ServiceBusNamespace"]?.ToString(), StringComparison.Ordinal);
        Assert.Contains("/api/payments/wechat/notify", settings["WeChatPay__PaymentNotifyUrl"]?.ToString(), StringComparison.Ordinal);
        Assert.Contains("/api/payments/wechat/refund-notify", settings["WeChatPay__RefundNotifyUrl"]?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(settings, setting => (setting.Value?.ToString() ?? string.Empty).Contains("127.0.0.1", StringComparison.Ordinal)
            || (setting.Value?.ToString() ?? string.Empty).Contains("UseDevelopmentStorage", StringComparison.Ordinal));
    }
}
