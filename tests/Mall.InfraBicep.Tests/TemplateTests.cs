using System.Text.Json.Nodes;

namespace Mall.InfraBicep.Tests;

[Collection(BicepCollection.Name)]
public sealed class TemplateTests(CompiledTemplate compiled)
{
    private static readonly Dictionary<string, string> AppIdentityRoles = new()
    {
        ["Storage Blob Data Owner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",
        ["Storage Queue Data Contributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88",
        ["Storage Table Data Contributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3",
        ["Azure Service Bus Data Sender"] = "69a216fc-b8fb-44d8-bc22-1f3c2552ae39",
        ["Key Vault Secrets User"] = "4633458b-17de-408a-b874-0445c86b69e6",
        ["Monitoring Metrics Publisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",
    };

    [Fact]
    public void Main_template_builds_without_diagnostics() =>
        Assert.True(compiled.Build.IsClean, compiled.Build.ToString());

    [Fact]
    public void Linter_reports_nothing_for_main_and_its_modules() =>
        Assert.True(compiled.Lint.IsClean, compiled.Lint.ToString());

    [Fact]
    public void Example_parameters_file_builds_and_lints_cleanly()
    {
        Assert.True(compiled.BuildParams.IsClean, compiled.BuildParams.ToString());
        Assert.True(compiled.LintParams.IsClean, compiled.LintParams.ToString());
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_Flex_Consumption()
    {
        var plan = compiled.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", CompiledTemplate.Text(plan, "sku.name"));
        Assert.Equal("FlexConsumption", CompiledTemplate.Text(plan, "sku.tier"));
        Assert.Equal("true", CompiledTemplate.Text(plan, "properties.reserved"), ignoreCase: true);

        var site = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("functionapp,linux", CompiledTemplate.Text(site, "kind"));
        var config = site["properties"]?["functionAppConfig"];
        Assert.Equal("dotnet-isolated", CompiledTemplate.Text(config, "runtime.name"));
        Assert.Equal("10.0", CompiledTemplate.Text(compiled.MainParameter("functionsRuntimeVersion"), "defaultValue"));
        Assert.Contains("instanceMemoryMB", CompiledTemplate.Text(config, "scaleAndConcurrency.instanceMemoryMB"), StringComparison.Ordinal);
        Assert.Contains("maximumInstanceCount", CompiledTemplate.Text(config, "scaleAndConcurrency.maximumInstanceCount"), StringComparison.Ordinal);
        Assert.Equal("blobContainer", CompiledTemplate.Text(config, "deployment.storage.type"));
        Assert.Equal("UserAssignedIdentity", CompiledTemplate.Text(config, "deployment.storage.authentication.type"));
        Assert.Equal("2048", CompiledTemplate.Text(compiled.MainParameter("instanceMemoryMB"), "defaultValue"));
        Assert.Equal("100", CompiledTemplate.Text(compiled.MainParameter("maximumInstanceCount"), "defaultValue"));
    }

    [Fact]
    public void Function_app_is_https_only_with_tls_1_2_and_no_ftp()
    {
        var site = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("true", CompiledTemplate.Text(site, "properties.httpsOnly"), ignoreCase: true);
        Assert.Equal("1.2", CompiledTemplate.Text(site, "properties.siteConfig.minTlsVersion"));
        Assert.Equal("Disabled", CompiledTemplate.Text(site, "properties.siteConfig.ftpsState"));
        Assert.Equal(2, compiled.ResourcesOfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").Count);
        Assert.Equal("false", CompiledTemplate.Text(compiled.MainParameter("allowBasicPublishingCredentials"), "defaultValue"), ignoreCase: true);
    }

    [Fact]
    public void Function_app_uses_only_the_user_assigned_identity()
    {
        var site = compiled.Single("Microsoft.Web/sites");
        Assert.Equal("UserAssigned", CompiledTemplate.Text(site, "identity.type"));
        Assert.Contains("identityResourceId", CompiledTemplate.Text(site, "properties.keyVaultReferenceIdentity"), StringComparison.Ordinal);
        compiled.Single("Microsoft.ManagedIdentity/userAssignedIdentities");

        var settings = compiled.AppSettings;
        Assert.Contains("identityClientId", settings["AZURE_CLIENT_ID"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("identityClientId", settings["AzureWebJobsStorage__clientId"]!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_gets_every_data_plane_role_it_needs()
    {
        // Role ids sit in the module's variables; collect those of modules assigning roles to the app identity.
        var assigningTemplates = compiled.TemplatesDeclaring("Microsoft.Authorization/roleAssignments")
            .Where(template => CompiledTemplate.ResourcesIn(template).Any(IsAppAssignment))
            .Select(template => template.ToJsonString())
            .ToList();
        var missing = AppIdentityRoles.Where(role => !assigningTemplates.Any(text => text.Contains(role.Value, StringComparison.OrdinalIgnoreCase)))
            .Select(role => role.Key)
            .ToList();
        Assert.True(missing.Count == 0, "Roles not assigned to the app identity: " + string.Join(", ", missing));

        var appAssignments = compiled.ResourcesOfType("Microsoft.Authorization/roleAssignments")
            .Where(IsAppAssignment)
            .ToList();
        Assert.Equal(4, appAssignments.Count); // storage (loop over three roles), Service Bus, Key Vault, App Insights
        Assert.All(appAssignments, assignment => Assert.Equal("ServicePrincipal", CompiledTemplate.Text(assignment, "properties.principalType")));

        // ...and main feeds every one of those modules the user-assigned identity's principal id.
        var wiring = compiled.ResourcesOfType("Microsoft.Resources/deployments")
            .Select(deployment => CompiledTemplate.Text(deployment, "properties.parameters.appPrincipalId.value"))
            .OfType<string>()
            .ToList();
        Assert.Equal(4, wiring.Count);
        Assert.All(wiring, value => Assert.Equal("[reference('identity').outputs.principalId.value]", value));
    }

    private static bool IsAppAssignment(JsonObject resource) =>
        resource["type"]?.ToString() == "Microsoft.Authorization/roleAssignments" &&
        CompiledTemplate.Text(resource, "properties.principalId") == "[parameters('appPrincipalId')]";

    [Fact]
    public void Storage_account_allows_no_shared_keys_or_public_blobs()
    {
        var storage = compiled.Single("Microsoft.Storage/storageAccounts");
        Assert.Equal("false", CompiledTemplate.Text(storage, "properties.allowSharedKeyAccess"), ignoreCase: true);
        Assert.Equal("false", CompiledTemplate.Text(storage, "properties.allowBlobPublicAccess"), ignoreCase: true);
        Assert.Equal("TLS1_2", CompiledTemplate.Text(storage, "properties.minimumTlsVersion"));
        compiled.Single("Microsoft.Storage/storageAccounts/blobServices/containers");
    }

    [Fact]
    public void No_connection_strings_or_account_keys_anywhere()
    {
        var json = compiled.Template.ToJsonString();
        foreach (var forbidden in new[] { "listKeys(", "listConnectionStrings(", "listAccountSas(", "AccountKey=", "SharedAccessKey", "DefaultEndpointsProtocol" })
        {
            Assert.DoesNotContain(forbidden, json, StringComparison.OrdinalIgnoreCase);
        }

        var settings = compiled.AppSettings;
        Assert.False(settings.ContainsKey("AzureWebJobsStorage"), "AzureWebJobsStorage must be identity-based (AzureWebJobsStorage__*).");
        Assert.False(settings.ContainsKey("Storage__ConnectionString"));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]?.ToString());
        Assert.Contains("storageAccountName", settings["AzureWebJobsStorage__accountName"]?.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(settings, setting => setting.Key.Contains("CONNECTIONSTRING", StringComparison.OrdinalIgnoreCase)
            && !setting.Key.Equals("APPLICATIONINSIGHTS_CONNECTION_STRING", StringComparison.Ordinal));
    }

    [Fact]
    public void Service_bus_topic_drops_duplicate_events()
    {
        var ns = compiled.Single("Microsoft.ServiceBus/namespaces");
        Assert.Equal("true", CompiledTemplate.Text(ns, "properties.disableLocalAuth"), ignoreCase: true);
        Assert.Equal("Standard", CompiledTemplate.Text(compiled.MainParameter("serviceBusSkuName"), "defaultValue"));

        var topic = compiled.Single("Microsoft.ServiceBus/namespaces/topics");
        Assert.Equal("true", CompiledTemplate.Text(topic, "properties.requiresDuplicateDetection"), ignoreCase: true);
        Assert.Contains("duplicateDetectionWindow", CompiledTemplate.Text(topic, "properties.duplicateDetectionHistoryTimeWindow"), StringComparison.Ordinal);
        Assert.Equal("P1D", CompiledTemplate.Text(compiled.MainParameter("duplicateDetectionWindow"), "defaultValue"));
        Assert.Equal("mall-events", CompiledTemplate.Text(compiled.MainParameter("eventTopicName"), "defaultValue"));

        compiled.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions");
        var subscriptions = compiled.MainParameter("eventSubscriptions")["defaultValue"]!.AsArray()
            .Select(subscription => CompiledTemplate.Text(subscription, "name"));
        Assert.Equal(["erp", "wms", "crm", "bi"], subscriptions);
    }

    [Fact]
    public void Key_vault_uses_rbac_with_soft_delete_and_purge_protection()
    {
        var vault = compiled.Single("Microsoft.KeyVault/vaults");
        Assert.Equal("true", CompiledTemplate.Text(vault, "properties.enableRbacAuthorization"), ignoreCase: true);
        Assert.Equal("true", CompiledTemplate.Text(vault, "properties.enableSoftDelete"), ignoreCase: true);
        Assert.Equal("true", CompiledTemplate.Text(vault, "properties.enablePurgeProtection"), ignoreCase: true);
        Assert.Empty(compiled.ResourcesOfType("Microsoft.KeyVault/vaults/secrets"));
    }

    [Fact]
    public void Secrets_are_never_plain_template_parameters()
    {
        foreach (var (name, parameter) in compiled.Template["parameters"]!.AsObject())
        {
            var type = CompiledTemplate.Text(parameter, "type");
            var looksSecret = SettingsContractTests.SecretSettings.Any(secret => secret.Split("__").Last().Equals(name, StringComparison.OrdinalIgnoreCase))
                || name.Contains("password", StringComparison.OrdinalIgnoreCase) || name.Contains("secret", StringComparison.OrdinalIgnoreCase);
            if (looksSecret || type is "securestring" or "secureObject")
            {
                Assert.True(type is "securestring" or "secureObject", $"Parameter '{name}' looks secret but is not @secure().");
                Assert.True(string.IsNullOrEmpty(CompiledTemplate.Text(parameter, "defaultValue")), $"Secure parameter '{name}' must default to empty.");
            }
        }
    }

    [Fact]
    public void Application_insights_is_workspace_based_with_entra_auth()
    {
        compiled.Single("Microsoft.OperationalInsights/workspaces");
        var insights = compiled.Single("Microsoft.Insights/components");
        Assert.Equal("true", CompiledTemplate.Text(insights, "properties.DisableLocalAuth"), ignoreCase: true);
        Assert.False(string.IsNullOrEmpty(CompiledTemplate.Text(insights, "properties.WorkspaceResourceId")));

        var settings = compiled.AppSettings;
        Assert.True(settings.ContainsKey("APPLICATIONINSIGHTS_CONNECTION_STRING"));
        var authentication = settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]!.ToString();
        Assert.Contains("Authorization=AAD", authentication, StringComparison.Ordinal);
        Assert.Contains("ClientId=", authentication, StringComparison.Ordinal);
    }

    [Fact]
    public void Outputs_give_operators_what_they_need()
    {
        var outputs = compiled.Template["outputs"]!.AsObject().Select(output => output.Key).ToHashSet();
        string[] expected =
        [
            "functionAppName", "functionAppDefaultHostName", "storageAccountName",
            "serviceBusNamespaceFqdn", "keyVaultUri", "keyVaultName", "identityClientId",
        ];
        Assert.Empty(expected.Except(outputs));
    }

    [Fact]
    public void Runtime_setting_is_not_an_app_setting_on_flex()
    {
        // Flex Consumption rejects FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION / WEBSITE_RUN_FROM_PACKAGE.
        var settings = compiled.AppSettings;
        Assert.DoesNotContain(settings, setting => setting.Key is "FUNCTIONS_WORKER_RUNTIME" or "FUNCTIONS_EXTENSION_VERSION" or "WEBSITE_RUN_FROM_PACKAGE"
            or "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING" or "WEBSITE_CONTENTSHARE");
    }
}
