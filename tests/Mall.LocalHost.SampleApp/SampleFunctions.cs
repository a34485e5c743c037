using System.Collections.Concurrent;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.LocalHost.SampleApp;

/// <summary>The sample app's composition root, called by its Program and by the local host's tests alike.</summary>
public static class SampleFunctionsServices
{
    public static IServiceCollection AddSampleFunctions(this IServiceCollection services) =>
        services.AddSingleton<Probe>().AddScoped<InvocationScope>();
}

/// <summary>What the sample functions saw, for the tests to assert on.</summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, int> running = new();

    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>The most runs of one function seen at the same time.</summary>
    public ConcurrentDictionary<string, int> MaxConcurrentRuns { get; } = new();

    public async Task RecordRunAsync(string name)
    {
        var now = running.AddOrUpdate(name, 1, (_, n) => n + 1);
        MaxConcurrentRuns.AddOrUpdate(name, now, (_, max) => Math.Max(max, now));
        await Task.Delay(50);
        Calls.Enqueue(name);
        running.AddOrUpdate(name, 0, (_, n) => n - 1);
    }
}

/// <summary>A scoped dependency: a new one per invocation, as in the worker.</summary>
public sealed class InvocationScope
{
    public Guid Id { get; } = Guid.NewGuid();
}

public sealed record Greeting(string Name, int Times);

public sealed record SampleOrder(string Id, int Quantity);

public sealed class SampleHttpFunctions(Probe probe, InvocationScope scope)
{
    [Function("Sample_Echo")]
    public IActionResult Echo([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/{thingId}/parts/{count:int}")] HttpRequest request, string thingId, int count) =>
        new OkObjectResult(new { thingId, count, query = request.Query["q"].ToString(), scope = scope.Id });

    [Function("Sample_Create")]
    public async Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "things")] HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        probe.Calls.Enqueue("create:" + body);
        return new ObjectResult(new { received = body }) { StatusCode = StatusCodes.Status201Created };
    }

    [Function("Sample_Fails")]
    public static IActionResult Fails([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "fails")] HttpRequest request) =>
        throw new InvalidOperationException("secret detail that must not reach the caller");

    /// <summary>Overlaps Sample_Echo: Azure takes the first route in name order that matches, not the most specific one.</summary>
    [Function("Sample_Special")]
    public static IActionResult Special([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/special/{*rest}")] HttpRequest request) => new OkObjectResult("special");

    /// <summary>
    /// A catch-all, named to sort after every other HTTP function: Azure's router tries routes in function-name
    /// order, so a catch-all named before a function would take that function's requests.
    /// </summary>
    [Function("Sample_Unrouted")]
    public static IActionResult Unrouted([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "{*path}")] HttpRequest request) =>
        new NotFoundObjectResult(new { path = request.Path.Value });

    /// <summary>No methods: any method, custom ones too.</summary>
    [Function("Sample_AnyMethod")]
    public static IActionResult AnyMethod([HttpTrigger(AuthorizationLevel.Anonymous, Route = "any")] HttpRequest request) => new OkObjectResult(request.Method);

    /// <summary>Disabled by the app setting AzureWebJobs_Sample_Off_Disabled.</summary>
    [Function("Sample_Off")]
    public static IActionResult Off([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "off")] HttpRequest request) => new OkObjectResult("off");

    /// <summary>No Route: the function name is the route, as in Functions.</summary>
    [Function("Sample_Default_Route")]
    public static IActionResult DefaultRoute([HttpTrigger(AuthorizationLevel.Anonymous, "get")] HttpRequest request) => new OkObjectResult("default");

    /// <summary>Returns no IActionResult at all.</summary>
    [Function("Sample_Blank")]
    public static IActionResult? Blank([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "blank")] HttpRequest request) => null;

    /// <summary>A result that fails while it is written (System.Text.Json refuses NaN).</summary>
    [Function("Sample_BadResult")]
    public static IActionResult BadResult([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bad-result")] HttpRequest request) => new OkObjectResult(new { value = double.NaN });

    /// <summary>Function-level authorization: Azure wants a key; locally the master key is the only one.</summary>
    [Function("Sample_Keyed")]
    public static IActionResult Keyed([HttpTrigger(AuthorizationLevel.Function, "get", Route = "keyed")] HttpRequest request) => new OkObjectResult("keyed");
}

public sealed class SampleTimerFunctions(Probe probe)
{
    [Function("Sample_Startup")]
    public Task Startup([TimerTrigger("0 0 0 1 1 *", RunOnStartup = true)] TimerInfo timer) => probe.RecordRunAsync("startup");

    /// <summary>The schedule comes from configuration, like %Setting% in Functions.</summary>
    [Function("Sample_EverySecond")]
    public Task EverySecond([TimerTrigger("%SampleSchedule%")] TimerInfo timer, CancellationToken cancellationToken) => probe.RecordRunAsync("tick");

    [Function("Sample_Nightly")]
    public Task Nightly([TimerTrigger("0 0 2 * * *")] TimerInfo timer) => probe.RecordRunAsync("nightly");

    [Function("Sample_FailingTimer")]
    public static Task Failing([TimerTrigger("0 0 3 * * *")] TimerInfo timer) => throw new InvalidOperationException("the nightly export is broken");
}

public static class SampleDurableFunctions
{
    [Function("Sample_StartGreeting")]
    public static async Task<IActionResult> Start(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "greetings/{name}")] HttpRequest request,
        string name,
        [DurableClient] DurableTaskClient client)
    {
        var instanceId = await client.ScheduleNewOrchestrationInstanceAsync("Sample_Greeting", new Greeting(name, 2), new StartOrchestrationOptions("greeting-" + name));
        return new AcceptedResult(string.Empty, new { instanceId });
    }

    [Function("Sample_Greeting")]
    public static async Task<string> Greet([OrchestrationTrigger] TaskOrchestrationContext context, Greeting input)
    {
        var parts = new List<string>();
        for (var i = 0; i < input.Times; i++)
        {
            parts.Add(await context.CallActivityAsync<string>("Sample_SayHello", input.Name));
        }

        return string.Join(" ", parts);
    }

    [Function("Sample_SayHello")]
    public static string SayHello([ActivityTrigger] string name) => $"hello {name}";
}

/// <summary>Queue names come from settings (%SampleQueues:…%), so each test run has its own queues.</summary>
public sealed class SampleQueueFunctions(Probe probe)
{
    /// <summary>The outbox dispatcher's shape: a queue message starts an orchestration through [DurableClient].</summary>
    [Function("Sample_QueueGreeting")]
    public static Task Greet([QueueTrigger("%SampleQueues:Greetings%")] string name, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken) =>
        client.ScheduleNewOrchestrationInstanceAsync("Sample_Greeting", new Greeting(name, 1), new StartOrchestrationOptions("queued-" + name), cancellationToken);

    [Function("Sample_QueueOrder")]
    public void Order([QueueTrigger("%SampleQueues:Orders%")] SampleOrder order) => probe.Calls.Enqueue($"order:{order.Id}:{order.Quantity}");

    [Function("Sample_QueueBytes")]
    public void Bytes([QueueTrigger("%SampleQueues:Bytes%")] byte[] body) => probe.Calls.Enqueue("bytes:" + Convert.ToHexString(body));

    [Function("Sample_QueueBinary")]
    public void Binary([QueueTrigger("%SampleQueues:Binary%", Connection = "SampleStorage")] BinaryData body) => probe.Calls.Enqueue("binary:" + body);

    /// <summary>Fails every time, so its messages are retried and then moved to the poison queue.</summary>
    [Function("Sample_QueueFlaky")]
    public void Flaky([QueueTrigger("%SampleQueues:Flaky%")] QueueMessage message)
    {
        probe.Calls.Enqueue($"flaky:{message.MessageText}:{message.DequeueCount}");
        throw new InvalidOperationException("the downstream system is down");
    }

    /// <summary>Runs for as many milliseconds as the message says, or until cancelled when it is not a number.</summary>
    [Function("Sample_QueueSlow")]
    public async Task Slow([QueueTrigger("%SampleQueues:Slow%")] QueueMessage message, CancellationToken cancellationToken)
    {
        probe.Calls.Enqueue($"slow:{message.MessageText}:{message.DequeueCount}");
        await Task.Delay(int.TryParse(message.MessageText, out var milliseconds) ? milliseconds : Timeout.Infinite, cancellationToken);
    }

    /// <summary>Disabled by the app setting AzureWebJobs.Sample_QueueOff.Disabled.</summary>
    [Function("Sample_QueueOff")]
    public void Off([QueueTrigger("%SampleQueues:Off%")] string message) => probe.Calls.Enqueue("off:" + message);

    [Function("Sample_QueuePolled")]
    public void Polled([QueueTrigger("%SampleQueues:Polled%")] string message) => probe.Calls.Enqueue("polled:" + message);
}
