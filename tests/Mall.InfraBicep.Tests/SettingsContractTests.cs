using System.Text.Json.Nodes;

namespace Mall.InfraBicep.Tests;

/// <summary>
/// Keeps the template and the configuration contract (local.settings.sample.json) from drifting:
/// every key the app reads is set in Azure, or may be overridden there (settingOverrides), or is
/// listed in infra-bicep/local-only-settings.json with what replaces it (and explained in the
/// README); the template sets nothing unknown, and restates no default of the app.
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

    // Settings with a default in an options class that the deployment still sets, and why.
    private static readonly Dictionary<string, string> DeploymentDecidesDespiteDefault = new()
    {
        ["Messaging__Topic"] = "names the topic the template creates",
        ["Messaging__QueueName"] = "the storage-queue fallback, named like the topic",
        ["Events__DispatchQueue"] = "the host resolves the dispatch trigger's %Events:DispatchQueue% from app settings, not from EventOptions",
    };

    private HashSet<string> AppSettingKeys => [.. compiled.AppSettings.Select(setting => setting.Key)];

    private HashSet<string> OverrideKeys => [.. compiled.SettingOverrides.Keys];

    [Fact]
    public void Every_sample_setting_is_an_app_setting_or_documented_as_local_only()
    {
        var unaccounted = SampleKeys.Except(AppSettingKeys).Except(OverrideKeys).Except(LocalOnly.Keys).Order().ToList();
        Assert.True(unaccounted.Count == 0,
            "Set these in infra-bicep/modules/function-app.bicep, make them overridable (settingOverrides in modules/types.bicep) or list them in infra-bicep/local-only-settings.json: "
            + string.Join(", ", unaccounted));
    }

    [Fact]
    public void Local_only_list_has_no_stale_or_contradicting_entries()
    {
        var localOnly = LocalOnly;
        Assert.Empty(localOnly.Keys.Except(SampleKeys));
        Assert.Empty(localOnly.Keys.Intersect(AppSettingKeys));
        Assert.Empty(localOnly.Keys.Intersect(OverrideKeys));
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
        var unknown = AppSettingKeys.Union(OverrideKeys).Except(SampleKeys).Except(AzureOnlySettings).Order().ToList();
        Assert.True(unknown.Count == 0, "App settings not in local.settings.sample.json: " + string.Join(", ", unknown));
        var unbound = OverrideKeys.Where(key => !AppOptions.Binds(key)).Order().ToList();
        Assert.True(unbound.Count == 0, "Overrides no options class binds: " + string.Join(", ", unbound));
    }

    [Fact]
    public void A_default_of_the_app_is_set_only_when_a_deployment_overrides_it()
    {
        // One source per default: the options class. The template sets such a setting only as an
        // override, never always (which would pin today's value and hide a later change of the default).
        var pinned = AppSettingKeys.Where(key => AppOptions.Settings.TryGetValue(key, out var value) && value is not null)
            .Except(DeploymentDecidesDespiteDefault.Keys)
            .Order()
            .ToList();
        Assert.True(pinned.Count == 0, "Settings the app has a default for, set unconditionally (make them overrides in settingOverrides): " + string.Join(", ", pinned));
        Assert.Empty(AppSettingKeys.Intersect(OverrideKeys));
        Assert.All(DeploymentDecidesDespiteDefault.Keys, key => Assert.Contains(key, AppSettingKeys));
    }

    [Fact]
    public void Overrides_do_not_restate_the_defaults_they_replace()
    {
        var restated = compiled.SettingOverrides
            .Where(setting => (CompiledTemplate.Text(setting.Value, "metadata.description") ?? string.Empty).Contains("Default:", StringComparison.OrdinalIgnoreCase))
            .Select(setting => setting.Key)
            .ToList();
        Assert.True(restated.Count == 0, "Descriptions that quote the app's default (it lives in the options class): " + string.Join(", ", restated));

        var examples = compiled.ExampleParameters["appSettingOverrides"]?["value"]?.AsObject() ?? [];
        var sameAsDefault = examples.Where(example => AppOptions.Settings.GetValueOrDefault(example.Key) is { } value
            && string.Equals(value, example.Value?.ToString(), StringComparison.OrdinalIgnoreCase)).Select(example => example.Key).ToList();
        Assert.True(sameAsDefault.Count == 0, "main.bicepparam overrides these with the default they already have: " + string.Join(", ", sameAsDefault));
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
