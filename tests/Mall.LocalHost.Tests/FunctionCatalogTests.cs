using System.Text.Json.Nodes;
using Mall.LocalHost.Engine;
using Mall.LocalHost.SampleApp;
using Mall.Testing;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;
using NCrontab;

namespace Mall.LocalHost.Tests;

/// <summary>Functions registered from the Worker SDK's functions.metadata and bound to their methods.</summary>
public sealed class FunctionCatalogTests
{
    private static readonly IConfiguration SampleConfiguration =
        new ConfigurationBuilder().AddInMemoryCollection(SampleSettings.For("UseDevelopmentStorage=true")).Build();

    private static readonly IConfiguration RefusedConfiguration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true",
        ["AzureWebJobsBadStorage"] = "not a connection string",
        ["IdentityStorage:queueServiceUri"] = "https://mall.queue.core.windows.net",
    }).Build();

    /// <summary>With the settings a developer starts from (the %Setting% references must resolve).</summary>
    [Fact]
    public void The_mall_functions_are_all_runnable()
    {
        var settings = new ConfigurationBuilder().AddLocalSettingsFile(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")).Build();

        var functions = FunctionCatalog.Load(FunctionApps.Mall, settings);

        Assert.Contains(functions, f => f is { Name: "Orders_Create", Trigger: TriggerKind.Http, Route: "orders", AuthLevel: AuthorizationLevel.Anonymous } && f.HttpMethods!.SequenceEqual(["POST"]));
        Assert.Contains(functions, f => f is { Name: "Orders_ProcessDeadlines", Trigger: TriggerKind.Timer, Schedule: "0 * * * * *" });
        Assert.All(functions.Where(f => f.Trigger == TriggerKind.Http), f => Assert.False(f.Route!.StartsWith("admin", StringComparison.OrdinalIgnoreCase), f.Name));
    }

    [Fact]
    public void Entry_points_and_bindings_come_from_the_metadata_the_sdk_wrote()
    {
        var functions = FunctionCatalog.Load(FunctionApps.Sample, SampleConfiguration).ToDictionary(f => f.Name);

        Assert.Equal(typeof(SampleDurableFunctions).GetMethod(nameof(SampleDurableFunctions.Greet)), functions["Sample_Greeting"].Method);
        Assert.Equal(typeof(Greeting), functions["Sample_Greeting"].InputType);
        Assert.Equal(typeof(string), functions["Sample_SayHello"].InputType);
        Assert.Equal("Sample_Default_Route", functions["Sample_Default_Route"].Route);
        Assert.Equal(AuthorizationLevel.Function, functions["Sample_Keyed"].AuthLevel);
        Assert.True(functions["Sample_Startup"].RunOnStartup);
        Assert.Equal(
            [ParameterSource.QueueMessage, ParameterSource.DurableClient, ParameterSource.CancellationToken],
            functions["Sample_QueueGreeting"].Parameters.Select(p => p.Source));
        Assert.Equal("AzureWebJobsStorage", functions["Sample_QueueGreeting"].QueueConnectionSetting);
    }

    [Theory]
    [InlineData("Refused_Route", "The specified route conflicts with one or more built in routes.")]
    [InlineData("Refused_Entity", "The binding type(s) 'entityTrigger' are not registered in the local host")]
    [InlineData("Refused_RequestData", "must be Microsoft.AspNetCore.Http.HttpRequest")]
    [InlineData("Refused_Parameter", "parameter 'itemId' (String) cannot be bound")]
    [InlineData("Refused_Setting", "setting 'NotConfigured' used in '%NotConfigured%' is not configured.")]
    [InlineData("Refused_Cron", "The schedule expression '0 0 0 L * *' was not recognized as a valid cron expression or timespan string.")]
    [InlineData("Refused_LeadingSlash", "The route '/orders/' is not a route template the host can build ('api//orders/'): The route template separator character '/' cannot appear consecutively.")]
    [InlineData("Refused_Constraint", "The route 'parts/{id:nosuch}' is not a route template the host can build ('api/parts/{id:nosuch}'): The constraint entry 'id' - 'nosuch' on the route 'api/parts/{id:nosuch}' could not be resolved")]
    [InlineData("Refused_Thing", "Azure never runs it for GET at 'things/new': function 'Refused_Any' (route 'things/{id}') comes before it in name order and its route matches first.")]
    [InlineData("Refused_Context", "parameter 'context' (FunctionContext) cannot be bound: the local host has no FunctionContext")]
    [InlineData("Refused_QueueName", "queueName: A queue name cannot contain consecutive dash(-) characters.")]
    [InlineData("Refused_Connection", "Storage account connection string 'AzureWebJobsNotConfigured' does not exist. Make sure that it is a defined App Setting.")]
    [InlineData("Refused_BadConnection", "connection 'BadStorage': AzureWebJobsBadStorage is not a storage connection string")]
    [InlineData("Refused_IdentityConnection", "connection 'IdentityStorage' is identity-based (IdentityStorage:queueServiceUri); the local host needs a connection string")]
    public void Every_function_the_host_cannot_run_is_refused_at_once_with_its_reason(string function, string reason)
    {
        var exception = Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Load(FunctionApps.Refused, RefusedConfiguration));

        Assert.Contains(exception.Message.Split(Environment.NewLine), line => line.StartsWith($" - {function}: ", StringComparison.Ordinal) && line.Contains(reason, StringComparison.Ordinal));
    }

    /// <summary>
    /// The timer extension parses schedules with NCrontab (TimerSchedule.Create): Quartz's L, 7 for Sunday, ?, MON#1 and
    /// macros are not CRON to it, and the host refuses the function with the extension's message.
    /// </summary>
    [Theory]
    [InlineData("0 0 0 L * *")]
    [InlineData("0 0 12 * * 7")]
    [InlineData("0 0 12 ? * *")]
    [InlineData("0 0 12 * * MON#1")]
    [InlineData("@daily")]
    public void A_schedule_ncrontab_refuses_is_refused_with_the_extensions_message(string schedule)
    {
        Assert.Null(CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));

        var exception = Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Bind(SampleWithNightlySchedule(schedule), FunctionApps.Sample, SampleConfiguration));

        Assert.Contains($"Sample_Nightly: The schedule expression '{schedule}' was not recognized as a valid cron expression or timespan string.", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>Five fields (no seconds) and TimeSpans are schedules too (CronSchedule.TryCreate, ConstantSchedule).</summary>
    [Theory]
    [InlineData("*/5 * * * *")]
    [InlineData("00:05:00")]
    [InlineData("0 0 22-2 * * *")]
    public void Five_field_cron_and_timespan_schedules_are_accepted(string schedule)
    {
        var nightly = FunctionCatalog.Bind(SampleWithNightlySchedule(schedule), FunctionApps.Sample, SampleConfiguration).Single(f => f.Name == "Sample_Nightly");

        Assert.Equal(schedule, nightly.Schedule);
    }

    [Fact]
    public void A_directory_without_functions_metadata_is_named_in_the_error()
    {
        var directory = Directory.CreateTempSubdirectory("no-function-app-").FullName;

        var exception = Assert.Throws<InvalidDataException>(() => FunctionCatalog.Load(directory, SampleConfiguration));

        Assert.Contains(directory, exception.Message, StringComparison.Ordinal);
        Assert.Contains("functions.metadata", exception.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<FunctionMetadata> SampleWithNightlySchedule(string schedule)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionApps.Sample, FunctionMetadata.FileName)))!.AsArray();
        var nightly = json.Single(f => (string?)f!["name"] == "Sample_Nightly")!;
        nightly["bindings"]!.AsArray().Single(b => (string?)b!["type"] == "timerTrigger")!["schedule"] = schedule;
        return FunctionMetadata.Parse(json.ToJsonString(), "test");
    }
}
