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
        Write("""{ "extensions": { "queues": { "batchSize": 33, "maxPollingInterval": "00:00:00.050", "maxDequeueCount": "five", "messageEncoding": "utf8" } } }""");

        var exception = Assert.Throws<InvalidDataException>(() => QueueOptions.FromHostJson(HostJson.Load(directory, Settings())));

        Assert.Contains("batchSize: 33 must be between 1 and 32.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("maxPollingInterval: 00:00:00.050 must be at least 00:00:00.1000000.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("maxDequeueCount: 'five' is not a whole number.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("messageEncoding: 'utf8' is not base64 or none.", exception.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static IConfiguration Settings(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    private void Write(string json) => File.WriteAllText(Path.Combine(directory, HostJson.FileName), json);
}
