using System.Diagnostics;
using System.Net;
using System.Text;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Mall.LocalHost.Engine;
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
