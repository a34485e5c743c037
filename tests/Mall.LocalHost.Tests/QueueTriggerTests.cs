using System.Diagnostics;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Mall.LocalHost.Engine;
using Mall.LocalHost.SampleApp;
using Mall.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.LocalHost.Tests;

/// <summary>
/// Queue-triggered sample functions through the local host against Azurite. The sample's host.json sets
/// maxDequeueCount 3, visibilityTimeout 0 and maxPollingInterval 2 s; the encoding is the default, base64.
/// </summary>
[Collection(nameof(LocalHostFixture))]
public sealed class QueueTriggerTests(LocalHostFixture fixture)
{
    [Fact]
    public async Task A_message_runs_its_function_which_starts_an_orchestration_through_its_durable_client()
    {
        await SendAsync("SampleQueues:Greetings", "lin");

        await Eventually.HoldsAsync(async () => await fixture.Host.DurableClient.GetInstanceAsync("queued-lin") is not null, "The orchestration started by the queue function");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var completed = await fixture.Host.DurableClient.WaitForInstanceCompletionAsync("queued-lin", getInputsAndOutputs: true, timeout.Token);
        Assert.Equal("hello lin", completed.ReadOutputAs<string>());
        await Eventually.HoldsAsync(async () => (await Queue("SampleQueues:Greetings").GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "The message's deletion");
    }

    [Fact]
    public async Task Messages_reach_json_pocos_byte_arrays_and_binary_data_through_a_named_connection()
    {
        await SendAsync("SampleQueues:Orders", """{"id":"o-1","quantity":2}""");
        await SendAsync("SampleQueues:Bytes", new BinaryData(new byte[] { 1, 2, 255 }));
        await SendAsync("SampleQueues:Binary", "hello");

        await Eventually.HoldsAsync(() => Calls.Contains("order:o-1:2") && Calls.Contains("bytes:0102FF") && Calls.Contains("binary:hello"), "The three functions' runs");
        Assert.Equal("orders-", fixture.Host.Functions.Single(f => f.Name == "Sample_QueueOrder").QueueName![..7]); // lower-cased, as the extension does
        Assert.Equal("SampleStorage", fixture.Host.Functions.Single(f => f.Name == "Sample_QueueBinary").QueueConnectionSetting);
    }

    [Fact]
    public async Task Messages_are_base64_and_one_that_is_not_goes_to_the_poison_queue_without_running()
    {
        var raw = Queue("SampleQueues:Orders", QueueMessageEncoding.None);
        await raw.CreateIfNotExistsAsync();
        await raw.SendMessageAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"id":"o-64","quantity":1}""")));
        await raw.SendMessageAsync("{\"id\":\"o-plain\",\"quantity\":1}");

        var poisoned = await PoisonMessagesAsync("SampleQueues:Orders", QueueMessageEncoding.None, count: 1);
        Assert.Equal("{\"id\":\"o-plain\",\"quantity\":1}", poisoned.Single());
        await Eventually.HoldsAsync(() => Calls.Contains("order:o-64:1"), "The base64 message's run");
        Assert.DoesNotContain(Calls, c => c.StartsWith("order:o-plain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_message_is_retried_and_after_max_dequeue_count_moves_to_the_poison_queue()
    {
        await SendAsync("SampleQueues:Flaky", "m-1");

        var poisoned = await PoisonMessagesAsync("SampleQueues:Flaky", QueueMessageEncoding.Base64, count: 1);

        Assert.Equal("m-1", poisoned.Single());
        Assert.Equal(["flaky:m-1:1", "flaky:m-1:2", "flaky:m-1:3"], Calls.Where(c => c.StartsWith("flaky:m-1:", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Contains(fixture.Logs.Entries, e => e.Message == $"Message has reached MaxDequeueCount of 3. Moving message to queue '{QueueName("SampleQueues:Flaky")}-poison'.");
    }

    [Fact]
    public async Task An_idle_queue_is_polled_at_least_every_max_polling_interval()
    {
        var maxPollingInterval = fixture.Host.Services.GetRequiredService<QueueOptions>().MaxPollingInterval;
        Assert.Equal(TimeSpan.FromSeconds(2), maxPollingInterval);
        var backedOff = $"Queue {QueueName("SampleQueues:Polled")} for Sample_QueuePolled is empty; polling again in {maxPollingInterval.TotalMilliseconds:0} ms";
        await fixture.WaitForLogAsync(backedOff);

        var sent = Stopwatch.StartNew();
        await SendAsync("SampleQueues:Polled", "wake up");
        await Eventually.HoldsAsync(() => Calls.Contains("polled:wake up"), "The polled message's run");

        // Backed off as far as it goes, the listener still looks within the interval (the default would be a minute).
        Assert.InRange(sent.Elapsed, TimeSpan.Zero, maxPollingInterval + TimeSpan.FromSeconds(8));
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("Sample_QueuePolled is empty; polling again in", StringComparison.Ordinal)
            && long.Parse(e.Message.Split(' ')[^2], System.Globalization.CultureInfo.InvariantCulture) > maxPollingInterval.TotalMilliseconds);
    }

    [Fact]
    public async Task The_admin_api_runs_a_queue_function_with_its_input_as_the_message()
    {
        var accepted = await fixture.RunThroughAdminApiAsync("Sample_QueueOrder", """{"input":"{\"id\":\"o-admin\",\"quantity\":4}"}""");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await fixture.WaitForLogAsync("Admin run of Sample_QueueOrder: Succeeded in");
        Assert.Contains("order:o-admin:4", Calls);
    }

    [Fact]
    public async Task TriggerAsync_runs_a_queue_function_with_its_input_as_the_message_and_waits_for_it()
    {
        await fixture.Host.TriggerAsync("Sample_QueueOrder", """{"id":"o-direct","quantity":5}""");

        Assert.Contains("order:o-direct:5", Calls);
    }

    /// <summary>
    /// AzureWebJobs.Sample_QueueOff.Disabled=1: the host creates no listener for it (HostListenerFactory.IsDisabled),
    /// while the admin API still runs it (FunctionsController.Invoke does not look).
    /// </summary>
    [Fact]
    public async Task A_disabled_queue_function_has_no_listener_but_runs_through_the_admin_api()
    {
        await SendAsync("SampleQueues:Off", "queued");
        await fixture.WaitForLogAsync($"Queue {QueueName("SampleQueues:Polled")} for Sample_QueuePolled is empty; polling again in 2000 ms");

        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("for Sample_QueueOff", StringComparison.Ordinal));
        Assert.Equal(1, (await Queue("SampleQueues:Off").GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.RunThroughAdminApiAsync("Sample_QueueOff", """{"input":"by hand"}""")).StatusCode);
        await fixture.WaitForLogAsync("Admin run of Sample_QueueOff: Succeeded in");
        Assert.Contains("off:by hand", Calls);
        Assert.DoesNotContain("off:queued", Calls);
    }

    private IEnumerable<string> Calls => fixture.Probe.Calls;

    private string QueueName(string setting) => fixture.Settings[setting]!.ToLowerInvariant();

    private QueueClient Queue(string setting, QueueMessageEncoding encoding = QueueMessageEncoding.Base64, string suffix = "") =>
        new(fixture.Settings["AzureWebJobsStorage"], QueueName(setting) + suffix, new QueueClientOptions { MessageEncoding = encoding });

    private async Task SendAsync(string setting, BinaryData body)
    {
        var queue = Queue(setting);
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(body);
    }

    private Task SendAsync(string setting, string text) => SendAsync(setting, BinaryData.FromString(text));

    private async Task<IReadOnlyList<string>> PoisonMessagesAsync(string setting, QueueMessageEncoding encoding, int count)
    {
        var poison = Queue(setting, encoding, "-poison");
        PeekedMessage[] messages = [];
        await Eventually.HoldsAsync(
            async () => await poison.ExistsAsync() && (messages = (await poison.PeekMessagesAsync(32)).Value).Length >= count,
            $"{count} message(s) in {poison.Name}");
        return messages.Select(m => m.Body.ToString()).ToList();
    }
}

/// <summary>Queue listeners of hosts of their own: what a stop and a long run do to a message.</summary>
public sealed class QueueListenerTests
{
    /// <summary>
    /// The host's stop cancels the run (QueueListener.StopAsync); the run has failed, and its message is released with
    /// visibilityTimeout (0 in the sample's host.json) as any failed run's is (QueueProcessor.CompleteProcessingMessageAsync),
    /// not left invisible for the rest of its 10 minutes.
    /// </summary>
    [Fact]
    public async Task A_message_whose_run_a_stop_cancels_is_released_at_once()
    {
        var (host, settings, connection) = await StartAsync();
        var queue = await SendAsync(connection, settings["SampleQueues:Slow"]!, "forever");
        await Eventually.HoldsAsync(() => host.Services.GetRequiredService<Probe>().Calls.Contains("slow:forever:1"), "The slow run's start");

        await host.DisposeAsync();

        Assert.Single((await queue.PeekMessagesAsync()).Value);
    }

    /// <summary>
    /// host.json's functionTimeout (here 2 s, as an app setting): the run's token is cancelled and the run fails at the
    /// limit (FunctionExecutor.TryHandleTimeoutAsync), so the message is retried and then poisoned like any failure.
    /// </summary>
    [Fact]
    public async Task A_run_past_the_function_timeout_fails_and_its_message_is_retried()
    {
        var logs = new LogCollector();
        var (host, settings, connection) = await StartAsync(logs, ("AzureFunctionsJobHost:functionTimeout", "00:00:02"));
        await using (host)
        {
            await SendAsync(connection, settings["SampleQueues:Slow"]!, "forever");
            var poison = new QueueClient(connection, settings["SampleQueues:Slow"] + "-poison");

            await Eventually.HoldsAsync(async () => await poison.ExistsAsync() && (await poison.PeekMessagesAsync()).Value.Length == 1, "The message in the poison queue", seconds: 60);

            Assert.Equal(["slow:forever:1", "slow:forever:2", "slow:forever:3"], host.Services.GetRequiredService<Probe>().Calls.Where(c => c.StartsWith("slow:", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            Assert.Contains(logs.Entries, e => e.Message == "Timeout value of 00:00:02 exceeded by function 'Sample_QueueSlow'. Initiating cancellation.");
        }
    }

    /// <summary>
    /// A run longer than the message's invisibility: the listener renews it halfway, again and again (QueueListener's
    /// visibility timer), so the message is not delivered a second time while the first run goes on.
    /// </summary>
    [Fact]
    public async Task A_long_run_keeps_its_message_invisible_until_it_completes()
    {
        var connection = (await Azurite.InstanceAsync()).ConnectionString;
        var settings = SampleSettings.For(connection);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSampleFunctions().AddLogging().BuildServiceProvider();
        var functions = FunctionCatalog.Load(FunctionApps.Sample, configuration);
        var options = new QueueOptions { ProcessingVisibility = TimeSpan.FromSeconds(2), MaxPollingInterval = TimeSpan.FromMilliseconds(200) };
        var listeners = new QueueListeners(new QueueFunctions(functions, services), options, configuration, NullLogger<QueueListeners>.Instance);
        var queue = await SendAsync(connection, settings["SampleQueues:Slow"]!, "7000");

        await listeners.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(async () => (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount == 0, "The message's deletion after its run", seconds: 60);
        await listeners.StopAsync(CancellationToken.None);

        Assert.Equal(["slow:7000:1"], services.GetRequiredService<Probe>().Calls.Where(c => c.StartsWith("slow:", StringComparison.Ordinal)));
    }

    private static async Task<(LocalFunctionHost Host, Dictionary<string, string?> Settings, string Connection)> StartAsync(LogCollector? logs = null, params (string Key, string Value)[] extra)
    {
        var connection = (await Azurite.InstanceAsync()).ConnectionString;
        var settings = SampleSettings.For(connection);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
        {
            FunctionAppDirectory = FunctionApps.Sample,
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            ConfigureServices = (services, _) => services.AddSampleFunctions(),
            ConfigureLogging = logging =>
            {
                if (logs is not null)
                {
                    logging.AddProvider(logs);
                }
            },
            RunTimers = false,
        });
        return (host, settings, connection);
    }

    private static async Task<QueueClient> SendAsync(string connection, string queueName, string message)
    {
        var queue = new QueueClient(connection, queueName.ToLowerInvariant(), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync(message);
        return queue;
    }
}
