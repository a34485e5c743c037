using Azure.Storage.Queues;
using Mall.LocalHost.Engine;
using Microsoft.Extensions.Configuration;

namespace Mall.LocalHost.Tests;

public sealed class HostJsonTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mall-host-json-").FullName;

    [Fact]
    public void Host_json_values_can_be_overridden_by_AzureFunctionsJobHost_settings()
    {
        Write("""{ "version": "2.0", "extensions": { "http": { "routePrefix": "shop" }, "queues": { "batchSize": 8, "maxDequeueCount": 2, "messageEncoding": "none" } } }""");
        var host = HostJson.Load(directory, Settings(("AzureFunctionsJobHost:extensions:queues:maxDequeueCount", "7")));

        var queues = QueueOptions.FromHostJson(host);

        Assert.Equal("shop", HostJson.RoutePrefix(host));
        Assert.Equal(8, queues.BatchSize);
        Assert.Equal(4 * Environment.ProcessorCount, queues.NewBatchThreshold);
        Assert.Equal(7, queues.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.None, queues.MessageEncoding);
    }

    [Fact]
    public void Without_host_json_the_extensions_defaults_apply()
    {
        var host = HostJson.Load(directory, Settings());

        Assert.Equal("api", HostJson.RoutePrefix(host));
        Assert.Equal(
            new QueueOptions { BatchSize = 16, NewBatchThreshold = 8 * Environment.ProcessorCount, MaxPollingInterval = TimeSpan.FromMinutes(1), VisibilityTimeout = TimeSpan.Zero, MaxDequeueCount = 5, MessageEncoding = QueueMessageEncoding.Base64 },
            QueueOptions.FromHostJson(host));
    }

    [Fact]
    public void Queue_settings_out_of_range_are_all_named()
    {
        Write("""{ "version": "2.0", "extensions": { "queues": { "batchSize": 33, "maxPollingInterval": "00:00:00.050", "maxDequeueCount": "five", "messageEncoding": "utf8" } } }""");

        var exception = Assert.Throws<InvalidDataException>(() => QueueOptions.FromHostJson(HostJson.Load(directory, Settings())));

        Assert.Contains("batchSize: 33 must be between 1 and 32.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("maxPollingInterval: 00:00:00.050 must be at least 00:00:00.1000000.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("maxDequeueCount: 'five' is not a whole number.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("messageEncoding: 'utf8' is not base64 or none.", exception.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// azure-functions-host src/WebJobs.Script/ScriptHostBuilderExtensions.cs, ConfigureTelemetry: telemetryMode is
    /// Enum.TryParse(ignoreCase) of the host's TelemetryMode; anything else, or nothing, is ApplicationInsights and
    /// never refused. A setting overrides host.json, as for every host.json value.
    /// </summary>
    [Theory]
    [InlineData("""{ "version": "2.0", "telemetryMode": "OpenTelemetry" }""", null, TelemetryMode.OpenTelemetry)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "openTELEMETRY" }""", null, TelemetryMode.OpenTelemetry)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "2" }""", null, TelemetryMode.OpenTelemetry)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "none" }""", null, TelemetryMode.None)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "OTel" }""", null, TelemetryMode.ApplicationInsights)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "" }""", null, TelemetryMode.ApplicationInsights)]
    [InlineData("""{ "version": "2.0" }""", null, TelemetryMode.ApplicationInsights)]
    [InlineData("""{ "version": "2.0", "telemetryMode": "OpenTelemetry" }""", "ApplicationInsights", TelemetryMode.ApplicationInsights)]
    public void Telemetry_mode_is_read_as_the_host_reads_it(string hostJson, string? setting, TelemetryMode expected)
    {
        Write(hostJson);

        var host = HostJson.Load(directory, setting is null ? Settings() : Settings(("AzureFunctionsJobHost:telemetryMode", setting)));

        Assert.Equal(expected, HostJson.TelemetryMode(host));
    }

    /// <summary>
    /// azure-functions-host src/WebJobs.Script/Config/HostJsonFileConfigurationSource.cs, InitializeHostConfig: without
    /// "version", or with one other than "2.0", the host does not start (an empty host.json is the default one).
    /// </summary>
    [Theory]
    [InlineData("""{ "extensions": { "http": { "routePrefix": "api" } } }""", "The host.json file is missing the required 'version' property.")]
    [InlineData("""{ "version": "3.0" }""", "'3.0' is an invalid value for host.json 'version' property. We recommend you set the 'version' property to '2.0'. This does not correspond to the function runtime version")]
    [InlineData("""{ "version": 2 }""", "The host.json file is missing the required 'version' property.")]
    public void A_host_json_without_version_2_is_refused(string hostJson, string message)
    {
        Write(hostJson);

        var exception = Assert.Throws<InvalidDataException>(() => HostJson.Load(directory, Settings()));

        Assert.Contains(message, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_host_json_is_the_default_one()
    {
        Write("{}");

        Assert.Equal("api", HostJson.RoutePrefix(HostJson.Load(directory, Settings())));
    }

    /// <summary>ScriptJobHostOptionsSetup.ConfigureFunctionTimeout on Flex Consumption: 30 minutes by default, -1 for none, at least a second.</summary>
    [Theory]
    [InlineData(null, "00:30:00")]
    [InlineData("00:00:05", "00:00:05")]
    [InlineData("-1", null)]
    [InlineData("2.00:00:00", "2.00:00:00")]
    public void The_function_timeout_is_read_as_the_host_reads_it(string? configured, string? limit)
    {
        Write(configured is null ? """{ "version": "2.0" }""" : $$"""{ "version": "2.0", "functionTimeout": "{{configured}}" }""");

        Assert.Equal(limit is null ? null : TimeSpan.Parse(limit, System.Globalization.CultureInfo.InvariantCulture), FunctionTimeout.FromHostJson(HostJson.Load(directory, Settings())).Limit);
    }

    [Theory]
    [InlineData("00:00:00.500", "FunctionTimeout must be greater than 00:00:01 and less than")]
    [InlineData("ten minutes", "Failed to convert configuration value 'ten minutes' at 'AzureFunctionsJobHost:functionTimeout'")]
    public void A_function_timeout_the_host_refuses_is_refused(string configured, string message)
    {
        var host = HostJson.Load(directory, Settings(("AzureFunctionsJobHost:functionTimeout", configured)));

        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => FunctionTimeout.FromHostJson(host)).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private void Write(string json) => File.WriteAllText(Path.Combine(directory, HostJson.FileName), json);
}
