using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml;
using Mall.Application.Platform;
using Mall.Infrastructure;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.InfraBicep.Tests;

/// <summary>The template deploys what the code relies on: its tables, a duplicate window as long as the relay resends, consumers of real events, alerts on its metrics.</summary>
[Collection(BicepCollection.Name)]
public sealed partial class CodeContractTests(CompiledTemplate compiled)
{
    [Fact]
    public void Template_creates_exactly_the_tables_the_code_registers()
    {
        var services = new ServiceCollection().AddMallInfrastructure(new ConfigurationBuilder().Build());
        var registered = services.Select(service => service.ImplementationInstance).OfType<MallTable>().Select(table => table.Name).ToHashSet();

        // A table reached directly (not through AddDocuments) is named by a TableName constant: it must be registered too.
        var constants = typeof(MallInfrastructureServices).Assembly.GetTypes()
            .Select(type => type.GetField("TableName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue())
            .OfType<string>();
        Assert.Empty(constants.Except(registered));

        var storageModule = Assert.Single(compiled.TemplatesDeclaring("Microsoft.Storage/storageAccounts/tableServices/tables"));
        var deployed = storageModule["variables"]!["appTables"]!.AsArray().Select(name => name!.GetValue<string>()).ToList();
        Assert.Equal(deployed.Count, deployed.Distinct().Count());
        Assert.True(registered.SetEquals(deployed),
            $"modules/storage.bicep appTables and the code differ. Missing: {string.Join(", ", registered.Except(deployed).Order())}; not used: {string.Join(", ", deployed.Except(registered).Order())}");

        var tables = compiled.Single("Microsoft.Storage/storageAccounts/tableServices/tables");
        Assert.Contains("parameters('tablePrefix')", CompiledTemplate.Text(tables, "name"), StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_detection_covers_every_resend_of_the_outbox_relay()
    {
        var horizon = new EventOptions().RedeliveryHorizon;
        Assert.True(horizon > new EventOptions().Lease, "The horizon must cover at least a taken-over attempt.");

        var byDefault = CompiledTemplate.Text(compiled.MainParameter("duplicateDetectionWindow"), "defaultValue")!;
        var example = CompiledTemplate.Text(compiled.ExampleParameters, "duplicateDetectionWindow.value") ?? byDefault;
        foreach (var window in new[] { byDefault, example })
        {
            Assert.True(XmlConvert.ToTimeSpan(window) >= horizon, $"duplicateDetectionWindow {window} is shorter than the relay's redelivery horizon {horizon}.");
        }

        var topic = compiled.Single("Microsoft.ServiceBus/namespaces/topics");
        Assert.Equal("true", CompiledTemplate.Text(topic, "properties.requiresDuplicateDetection"), ignoreCase: true);
    }

    [Fact]
    public void Each_consumer_has_a_subscription_filtered_to_documented_events()
    {
        var documented = EventHeading().Matches(File.ReadAllText(Path.Combine(compiled.Paths.Root, "docs", "events.md")))
            .Select(match => match.Groups[1].Value)
            .ToHashSet(StringComparer.Ordinal);
        var subscriptions = compiled.MainParameter("eventSubscriptions")["defaultValue"]!.AsArray().Select(s => s!.AsObject()).ToList();

        Assert.Equal(["erp", "wms", "crm", "bi"], subscriptions.Select(s => CompiledTemplate.Text(s, "name")));
        foreach (var subscription in subscriptions.Where(s => s["eventTypes"] is not null))
        {
            var types = subscription["eventTypes"]!.AsArray().Select(type => type!.GetValue<string>()).ToList();
            Assert.Empty(types.Except(documented));
            Assert.Equal(types.Count, types.Distinct().Count());
        }

        // Analytics takes everything; whoever keeps customer data hears of erasures.
        Assert.Null(subscriptions.Single(s => CompiledTemplate.Text(s, "name") == "bi")["eventTypes"]);
        Assert.Contains("CustomerErased", subscriptions.Single(s => CompiledTemplate.Text(s, "name") == "crm")["eventTypes"]!.AsArray().Select(t => t!.GetValue<string>()));

        var rule = compiled.Single("Microsoft.ServiceBus/namespaces/topics/subscriptions/rules");
        Assert.Equal("SqlFilter", CompiledTemplate.Text(rule, "properties.filterType"));
        Assert.Contains("eventType IN", CompiledTemplate.Text(rule, "properties.sqlFilter.sqlExpression"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mall.events.poisoned")]
    [InlineData("mall.refunds.not_succeeded")]
    public void An_occurrence_of_the_metric_alerts_the_action_group(string metric)
    {
        var alertsModule = Assert.Single(compiled.TemplatesDeclaring("Microsoft.Insights/scheduledQueryRules"));
        var rule = Assert.Single(alertsModule["variables"]!["rules"]!.AsArray(), r => CompiledTemplate.Text(r, "metric") == metric);
        Assert.False(string.IsNullOrWhiteSpace(CompiledTemplate.Text(rule, "description")));

        var alert = compiled.Single("Microsoft.Insights/scheduledQueryRules");
        var criterion = alert["properties"]!["criteria"]!["allOf"]![0]!;
        Assert.Contains("customMetrics", CompiledTemplate.Text(criterion, "query"), StringComparison.Ordinal);
        Assert.Equal("GreaterThan", CompiledTemplate.Text(criterion, "operator"));
        Assert.Equal("0", CompiledTemplate.Text(criterion, "threshold"));
        Assert.Equal("PT15M", CompiledTemplate.Text(alert, "properties.windowSize"));
        Assert.Contains("applicationInsightsId", CompiledTemplate.Text(alert, "properties.scopes"), StringComparison.Ordinal);
        Assert.Contains("actionGroups", CompiledTemplate.Text(alert, "properties.actions.actionGroups"), StringComparison.Ordinal);

        var group = compiled.Single("Microsoft.Insights/actionGroups");
        Assert.Equal("[parameters('email')]", CompiledTemplate.Text(group["properties"]!["emailReceivers"]![0], "emailAddress"));
        Assert.Null(CompiledTemplate.Text(compiled.MainParameter("alertEmail"), "defaultValue"));
    }

    [GeneratedRegex(@"^### (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex EventHeading();
}
