using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Mall.LocalHost.Engine;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using NCrontab;

namespace Mall.LocalHost.Tests;

/// <summary>
/// The Azure Functions host's HTTP routing, built with the host's own route builder
/// (Microsoft.Azure.WebJobs.Extensions.Http WebJobsRouteBuilder, the one the host ships) exactly as
/// azure-functions-host src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs, InitializeHttpFunctionRoutes
/// does: one Route per HTTP function, an HttpMethodRouteConstraint when the metadata lists methods, in the
/// order of ScriptHost.Functions — src/WebJobs.Script/Host/FunctionMetadataManager.cs, GetFunctionMetadata:
/// OrderBy(f =&gt; f.Name, StringComparer.OrdinalIgnoreCase). The routes go into a RouteCollection: the first
/// route that matches wins; there is no precedence.
/// </summary>
internal static class AzureRouter
{
    public static IRouter Build(IReadOnlyList<FunctionMetadata> functions, string routePrefix, IServiceProvider services)
    {
        var builder = new WebJobsRouteBuilder(services.GetRequiredService<IInlineConstraintResolver>(), new Recorder(), routePrefix);
        foreach (var function in functions.Where(f => f.Trigger.IsOfType("httpTrigger")).OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
        {
            var methods = function.Trigger.GetStrings("methods")?.ToArray();
            var constraints = new RouteValueDictionary();
            if (methods is not null)
            {
                constraints.Add("httpMethod", new HttpMethodRouteConstraint(methods));
            }

            // ScriptHost.ValidateHttpFunction: no route means the function's name.
            var route = string.IsNullOrWhiteSpace(function.Trigger.Get("route")) ? function.Name : function.Trigger.Get("route");
            builder.MapFunctionRoute(function.Name, route, constraints, function.Name);
        }

        return builder.Build();
    }

    public static IServiceProvider Services() => new ServiceCollection().AddLogging().AddOptions().AddRouting().BuildServiceProvider();

    /// <returns>The function Azure runs for the request, or null (the host answers 404).</returns>
    public static async Task<string?> FunctionForAsync(IRouter router, IServiceProvider services, string method, string path)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Method = method;
        http.Request.Path = path;
        var context = new RouteContext(http);
        await router.RouteAsync(context);
        if (context.Handler is null)
        {
            return null;
        }

        await context.Handler(http);
        return (string?)http.Items[nameof(Recorder)];
    }

    /// <summary>A request the function's own route template matches (parameters filled in).</summary>
    public static (string Method, string Path) SampleRequest(FunctionMetadata function, string routePrefix)
    {
        var route = function.Trigger.Get("route") ?? function.Name;
        var pattern = RoutePatternFactory.Parse(route);
        var segments = pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart { IsCatchAll: true } => "no/such/endpoint",
            RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content == "int") => "7",
            RoutePatternParameterPart => "sample1",
            _ => string.Empty,
        })));
        var method = (function.Trigger.GetStrings("methods") is { Count: > 0 } listed ? listed[0].ToUpperInvariant() : null) ?? "GET";
        return (method, "/" + string.Join('/', new[] { routePrefix }.Concat(segments).Where(s => s.Length > 0)));
    }

    private sealed class Recorder : IWebJobsRouteHandler
    {
        public Task InvokeAsync(HttpContext context, string functionName)
        {
            context.Items[nameof(Recorder)] = functionName;
            return Task.CompletedTask;
        }
    }
}

/// <summary>Review findings: each test states what Azure does; a failure is a place the local host differs.</summary>
public sealed class ReviewRoutingTests
{
    private static readonly IServiceProvider Routing = AzureRouter.Services();

    /// <summary>
    /// Finding 1. Azure takes the first route that matches, in function-name order; Platform_NotFound's
    /// {*path} sorts before Presale_* and Promotions_Active, so in Azure those five endpoints answer
    /// "No endpoint …" 404s. The local host (ASP.NET endpoint precedence) serves them.
    /// </summary>
    [Fact]
    public async Task Every_mall_http_function_is_reached_at_its_own_route_by_the_azure_router()
    {
        var metadata = FunctionMetadata.ReadFrom(FunctionApps.Mall);
        var router = AzureRouter.Build(metadata, "api", Routing);

        var misrouted = new List<string>();
        foreach (var function in metadata.Where(f => f.Trigger.IsOfType("httpTrigger")))
        {
            var (method, path) = AzureRouter.SampleRequest(function, "api");
            var chosen = await AzureRouter.FunctionForAsync(router, Routing, method, path);
            if (chosen != function.Name && function.Name != "Platform_NotFound")
            {
                misrouted.Add($"{method} {path}: Azure runs {chosen ?? "nothing (404)"}, not {function.Name}");
            }
        }

        Assert.Empty(misrouted);
    }

    /// <summary>Finding 2. "api" + "/" + "/Orders/" is no route template: Azure's host fails to start (and so does the worker's endpoint data source).</summary>
    [Fact]
    public void A_route_with_a_leading_slash_is_refused_as_the_azure_router_refuses_it()
    {
        var metadata = FunctionMetadata.Parse("""
            [{ "name": "Orders_Create", "scriptFile": "App.dll", "entryPoint": "App.F.Create",
               "bindings": [ { "name": "request", "direction": "In", "type": "httpTrigger", "authLevel": "Anonymous", "methods": ["post"], "route": "/Orders/" },
                             { "name": "$return", "direction": "Out", "type": "http" } ] }]
            """, "test");

        var azure = Record.Exception(() => AzureRouter.Build(metadata, "api", Routing));

        Assert.NotNull(azure); // ArgumentException: the separator '/' cannot appear consecutively
        Assert.NotEmpty(HostRules.Check(metadata)); // the local host finds nothing wrong
    }

    /// <summary>Finding 6. An unknown inline constraint: Azure's Route constructor resolves it and the host does not start; the local host starts.</summary>
    [Fact]
    public void A_route_with_an_unknown_constraint_is_refused_at_start()
    {
        var json = File.ReadAllText(Path.Combine(FunctionApps.Sample, FunctionMetadata.FileName)).Replace("{thingId}", "{thingId:nosuch}", StringComparison.Ordinal);
        var metadata = FunctionMetadata.Parse(json, "test");

        Assert.NotNull(Record.Exception(() => AzureRouter.Build(metadata, "api", Routing)));
        Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Bind(metadata, FunctionApps.Sample, SampleConfiguration()));
    }

    internal static IConfiguration SampleConfiguration() =>
        new ConfigurationBuilder().AddInMemoryCollection(SampleSettings.For("UseDevelopmentStorage=true")).Build();
}

/// <summary>Review findings on the running sample app (the shared local host fixture).</summary>
[Collection(nameof(LocalHostFixture))]
public sealed class ReviewLocalHostTests(LocalHostFixture fixture)
{
    /// <summary>Finding 1, on the local host: it answers as the function Azure's router picks.</summary>
    [Fact]
    public async Task A_request_is_answered_by_the_function_the_azure_router_picks()
    {
        var services = AzureRouter.Services();
        var router = AzureRouter.Build(FunctionMetadata.ReadFrom(FunctionApps.Sample), "api", services);
        Assert.Equal("Sample_CatchAll", await AzureRouter.FunctionForAsync(router, services, "GET", "/api/things/abc/parts/3"));

        var response = await fixture.Client.GetAsync("api/things/abc/parts/3");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode); // Sample_CatchAll's answer; the local host runs Sample_Echo (200)
    }

    /// <summary>Finding 3. A method no route allows matches no route in Azure (HttpMethodRouteConstraint fails): 404, not 405.</summary>
    [Fact]
    public async Task A_method_no_function_allows_is_a_404_as_in_azure()
    {
        var services = AzureRouter.Services();
        var router = AzureRouter.Build(FunctionMetadata.ReadFrom(FunctionApps.Sample), "api", services);
        Assert.Null(await AzureRouter.FunctionForAsync(router, services, "DELETE", "/api/things"));

        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Client.DeleteAsync("api/things")).StatusCode);
    }

    /// <summary>
    /// Finding 8. A function that returns no IActionResult: the worker's FunctionsHttpProxyingMiddleware handles
    /// no result (it logs NoHttpResponseReturned) and the response goes out as ASP.NET left it: 200, empty.
    /// </summary>
    [Fact]
    public async Task A_null_result_is_an_empty_200_as_from_the_worker()
    {
        var response = await fixture.Client.GetAsync("api/blank");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>Finding: a result that fails while it executes is outside the host's try; Development's exception page answers.</summary>
[Collection(nameof(LocalHostFixture))]
public sealed class ReviewResultTests(LocalHostFixture fixture)
{
    [Fact]
    public async Task A_result_that_fails_to_execute_is_a_bare_500()
    {
        var response = await fixture.Client.GetAsync("api/bad-result");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // no stack trace for the caller
    }
}

/// <summary>Finding: a queue run cancelled by a stop. Azure's QueueListener.StopAsync cancels the run, the run fails, and
/// QueueProcessor.CompleteProcessingMessageAsync releases the message with visibilityTimeout (0 in the sample's host.json).</summary>
public sealed class ReviewQueueStopTests
{
    [Fact]
    public async Task A_message_whose_run_a_stop_cancels_is_released_at_once()
    {
        var connection = (await Mall.Testing.Azurite.InstanceAsync()).ConnectionString;
        var settings = SampleSettings.For(connection);
        var host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
        {
            FunctionAppDirectory = FunctionApps.Sample,
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            ConfigureServices = (services, _) => Mall.LocalHost.SampleApp.SampleFunctionsServices.AddSampleFunctions(services),
            RunTimers = false,
        });
        var queue = new Azure.Storage.Queues.QueueClient(connection, settings["SampleQueues:Slow"], new Azure.Storage.Queues.QueueClientOptions { MessageEncoding = Azure.Storage.Queues.QueueMessageEncoding.Base64 });
        await queue.CreateIfNotExistsAsync();
        await queue.SendMessageAsync("m");
        await Eventually.HoldsAsync(() => host.Services.GetRequiredService<Mall.LocalHost.SampleApp.Probe>().Calls.Contains("slow:m"), "The slow run's start");

        await host.DisposeAsync();

        Assert.Single((await queue.PeekMessagesAsync()).Value); // the local host leaves it invisible for 10 minutes
    }
}

/// <summary>Review findings on host.json and timer schedules.</summary>
public sealed class ReviewConfigurationTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mall-review-").FullName;

    /// <summary>
    /// Finding 4. azure-functions-host src/WebJobs.Script/Config/HostJsonFileConfigurationSource.cs,
    /// LoadHostConfigurationFile: no "version", or one that is not "2.0", is a HostConfigurationException and the host does not start.
    /// </summary>
    [Theory]
    [InlineData("""{ "extensions": { "http": { "routePrefix": "api" } } }""")]
    [InlineData("""{ "version": "3.0" }""")]
    public void A_host_json_without_version_2_is_refused(string hostJson)
    {
        File.WriteAllText(Path.Combine(directory, HostJson.FileName), hostJson);

        Assert.ThrowsAny<Exception>(() => HostJson.Load(directory, new ConfigurationBuilder().Build()));
    }

    /// <summary>
    /// Finding 5. The timer extension parses schedules with NCrontab (azure-webjobs-sdk-extensions
    /// src/WebJobs.Extensions/Extensions/Timers/Scheduling/CronSchedule.cs, TryCreate; TimerSchedule.Create throws
    /// "The schedule expression '…' was not recognized as a valid cron expression or timespan string."). Cronos
    /// accepts more: the local host runs functions Azure refuses.
    /// </summary>
    [Theory]
    [InlineData("0 0 0 L * *")]
    [InlineData("0 0 12 * * 7")]
    [InlineData("0 0 12 ? * *")]
    [InlineData("0 0 12 * * MON#1")]
    [InlineData("@daily")]
    public void A_schedule_ncrontab_refuses_is_refused(string schedule)
    {
        Assert.Null(CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }));

        Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Bind(SampleWithNightlySchedule(schedule), FunctionApps.Sample, ReviewRoutingTests.SampleConfiguration()));
    }

    /// <summary>Finding 5b. Both parse "0 0 22-2 * * *"; NCrontab swaps the range (02:00…22:00 hourly), Cronos wraps it (22:00, 23:00, 00:00 … 02:00).</summary>
    [Fact]
    public void A_schedule_fires_at_the_times_ncrontab_computes()
    {
        const string Schedule = "0 0 22-2 * * *";
        var definition = FunctionCatalog.Bind(SampleWithNightlySchedule(Schedule), FunctionApps.Sample, ReviewRoutingTests.SampleConfiguration()).Single(f => f.Name == "Sample_Nightly");
        var from = new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        var azure = CrontabSchedule.Parse(Schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true }).GetNextOccurrence(from);

        var local = Cronos.CronExpression.Parse(definition.Schedule!, Cronos.CronFormat.IncludeSeconds).GetNextOccurrence(from);

        Assert.Equal(azure, local); // Azure 13:00 the same day; the local host 22:00
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static IReadOnlyList<FunctionMetadata> SampleWithNightlySchedule(string schedule)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(FunctionApps.Sample, FunctionMetadata.FileName)))!.AsArray();
        var nightly = json.Single(f => (string?)f!["name"] == "Sample_Nightly")!;
        nightly["bindings"]!.AsArray().Single(b => (string?)b!["type"] == "timerTrigger")!["schedule"] = schedule;
        return FunctionMetadata.Parse(json.ToJsonString(), "test");
    }
}

/// <summary>Finding 7: the timer loop recomputes "next" from a clock read that can be a little before the occurrence.</summary>
public sealed class ReviewTimerTests
{
    private static readonly ConcurrentQueue<DateTime> Runs = new();

    internal static void Fast(TimerInfo timer) => Runs.Enqueue(DateTime.UtcNow);

    /// <summary>
    /// Task.Delay truncates to whole milliseconds and fires up to ~1 ms before the occurrence; the loop then
    /// finds the same occurrence "next" again and runs it again. Azure's TimerListener.InvokeJobFunction moves
    /// the invocation time forward when "the trigger fired before it was officially scheduled".
    /// </summary>
    [Fact]
    public async Task An_occurrence_runs_once()
    {
        var function = new Engine.FunctionDefinition("Fast", typeof(ReviewTimerTests).GetMethod(nameof(Fast), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!, TriggerKind.Timer, [new ParameterBinding(ParameterSource.TimerInfo, "timer", typeof(TimerInfo))])
        {
            Schedule = "* * * * * *",
        };
        var services = new ServiceCollection().BuildServiceProvider();
        var scheduler = new TimerScheduler(new TimerFunctions([function], services), TimeProvider.System, NullLogger<TimerScheduler>.Instance);

        await scheduler.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(15));
        await scheduler.StopAsync(CancellationToken.None);

        // Every second, so runs are about a second apart; two runs closer than half a second ran one occurrence twice.
        var runs = Runs.ToArray();
        var twice = runs.Zip(runs.Skip(1), (a, b) => (a, b)).Where(p => p.b - p.a < TimeSpan.FromMilliseconds(500))
            .Select(p => $"{p.a:HH:mm:ss.ffffff} and {p.b:HH:mm:ss.ffffff}").ToList();
        Assert.Empty(twice);
    }
}

public sealed class CountedFanOut : Microsoft.DurableTask.TaskOrchestrator<int, int>
{
    public override async Task<int> RunAsync(Microsoft.DurableTask.TaskOrchestrationContext context, int count)
    {
        var results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => context.CallActivityAsync<int>(nameof(CountedActivity), $"{context.InstanceId}/{i}")));
        return results.Sum();
    }
}

public sealed class CountedActivity : Microsoft.DurableTask.TaskActivity<string, int>
{
    public static ConcurrentDictionary<string, int> Runs { get; } = new();

    public override async Task<int> RunAsync(Microsoft.DurableTask.TaskActivityContext context, string key)
    {
        Runs.AddOrUpdate(key, 1, (_, n) => n + 1);
        await Task.Delay(200);
        return 1;
    }
}

/// <summary>
/// Finding: a schedule whose next occurrence is more than ~49.7 days away. Task.Delay refuses the delay; the
/// schedule loop throws, and the BackgroundService failure stops the host (HostOptions default StopHost). Azure's
/// TimerListener waits in steps of at most 24 days (MaxTimerInterval, _remainingInterval).
/// </summary>
public sealed class ReviewLongScheduleTests
{
    internal static void Yearly(TimerInfo timer)
    {
    }

    [Fact]
    public async Task A_schedule_months_away_does_not_stop_the_host()
    {
        var next = DateTime.UtcNow.AddDays(120);
        var function = new Engine.FunctionDefinition("Yearly", typeof(ReviewLongScheduleTests).GetMethod(nameof(Yearly), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!, TriggerKind.Timer, [new ParameterBinding(ParameterSource.TimerInfo, "timer", typeof(TimerInfo))])
        {
            Schedule = $"0 0 0 {next.Day} {next.Month} *",
        };
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IReadOnlyList<Engine.FunctionDefinition>>([function]).AddSingleton<TimerFunctions>().AddSingleton(TimeProvider.System).AddLogging().AddHostedService<TimerScheduler>();
        using var host = builder.Build();
        var stopping = new TaskCompletionSource();
        host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.Register(() => stopping.TrySetResult());

        await host.StartAsync();
        var stopped = await Task.WhenAny(stopping.Task, Task.Delay(TimeSpan.FromSeconds(5))) == stopping.Task;
        await host.StopAsync();

        Assert.False(stopped, "The host stopped itself: the schedule loop threw.");
    }

    /// <summary>Beside another timer, the loop's exception waits inside Task.WhenAll: nothing is logged, the timer never runs again.</summary>
    [Fact]
    public async Task A_schedule_months_away_beside_another_timer_fails_loudly()
    {
        var next = DateTime.UtcNow.AddDays(120);
        var method = typeof(ReviewLongScheduleTests).GetMethod(nameof(Yearly), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        ParameterBinding[] timerInfo = [new ParameterBinding(ParameterSource.TimerInfo, "timer", typeof(TimerInfo))];
        var logs = new LogCollector();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs);
        builder.Services.AddSingleton<IReadOnlyList<Engine.FunctionDefinition>>(
            [
                new Engine.FunctionDefinition("Yearly", method, TriggerKind.Timer, timerInfo) { Schedule = $"0 0 0 {next.Day} {next.Month} *" },
                new Engine.FunctionDefinition("EveryMinute", method, TriggerKind.Timer, timerInfo) { Schedule = "0 * * * * *" },
            ]).AddSingleton<TimerFunctions>().AddSingleton(TimeProvider.System).AddHostedService<TimerScheduler>();
        using var host = builder.Build();

        await host.StartAsync();
        await Task.Delay(TimeSpan.FromSeconds(3));
        var stoppedItself = host.Services.GetRequiredService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested;
        await host.StopAsync();

        Assert.False(stoppedItself);
        Assert.Contains(logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("Yearly", StringComparison.Ordinal));
    }
}

/// <summary>Finding: two local hosts on one task hub (both WorkerId = the machine name).</summary>
public sealed class ReviewDurableTests
{
    private static async Task<Microsoft.Extensions.Hosting.IHost> StartAsync(string hubName)
    {
        var hub = new DurableTaskHub(hubName, (await Mall.Testing.Azurite.InstanceAsync()).ConnectionString);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new Microsoft.Extensions.Hosting.HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddDurableTaskEngine(hub, Mall.Testing.Azurite.FreePort(), registry => registry.AddOrchestrator<WaitForGo>().AddActivity<SayHello>().AddOrchestrator<CountedFanOut>().AddActivity<CountedActivity>());
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static Microsoft.DurableTask.Client.DurableTaskClient Client(Microsoft.Extensions.Hosting.IHost host) => host.Services.GetRequiredService<Microsoft.DurableTask.Client.DurableTaskClient>();

    [Fact]
    public async Task When_one_of_two_hosts_on_a_hub_stops_the_other_carries_on()
    {
        var hubName = Mall.Testing.Azurite.NewTablePrefix() + "Hub";
        var first = await StartAsync(hubName);
        using var second = await StartAsync(hubName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var instanceId = await Client(first).ScheduleNewOrchestrationInstanceAsync(nameof(WaitForGo), "mei", timeout.Token);
        await Client(first).WaitForInstanceStartAsync(instanceId, timeout.Token);

        await first.StopAsync();
        first.Dispose();
        await Client(second).RaiseEventAsync(instanceId, "Go", "now", timeout.Token);
        var completed = await Client(second).WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal("hello mei", completed.ReadOutputAs<string>());
        await second.StopAsync();
    }

    [Fact]
    public async Task Two_hosts_on_one_hub_run_each_activity_once()
    {
        var hubName = Mall.Testing.Azurite.NewTablePrefix() + "Hub";
        using var first = await StartAsync(hubName);
        using var second = await StartAsync(hubName);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        var ids = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Client(i % 2 == 0 ? first : second).ScheduleNewOrchestrationInstanceAsync(nameof(CountedFanOut), 10, timeout.Token)));
        var results = await Task.WhenAll(ids.Select(id => Client(first).WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, timeout.Token)));

        Assert.All(results, r => Assert.Equal(10, r.ReadOutputAs<int>()));
        Assert.Empty(CountedActivity.Runs.Where(r => ids.Any(id => r.Key.StartsWith(id, StringComparison.Ordinal)) && r.Value > 1).Select(r => $"{r.Key} ran {r.Value} times"));
        await first.StopAsync();
        await second.StopAsync();
    }
}

/// <summary>Exploration: the same requests through Azure's router and through the local host's endpoints, on the mall's metadata.</summary>
public sealed class ReviewRouteComparison(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Edge_paths_reach_the_same_function()
    {
        var settings = new ConfigurationBuilder().AddLocalSettingsFile(Path.Combine(Mall.Testing.RepositoryPaths.Root, "local.settings.sample.json")).Build();
        var functions = FunctionCatalog.Load(FunctionApps.Mall, settings);
        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        Microsoft.AspNetCore.Hosting.HostingAbstractionsWebHostBuilderExtensions.UseUrls(builder.WebHost, "http://127.0.0.1:0");
        builder.Services.AddRouting();
        await using var app = builder.Build();
        Microsoft.AspNetCore.Builder.EndpointRoutingApplicationBuilderExtensions.UseRouting(app);
        Microsoft.AspNetCore.Builder.UseExtensions.Use(app, (HttpContext context, RequestDelegate next) =>
        {
            if (context.GetEndpoint() is { } endpoint && endpoint.DisplayName is { } name && !name.StartsWith("405", StringComparison.Ordinal))
            {
                context.Response.Headers["x-function"] = name;
                context.Response.StatusCode = 299;
                return Task.CompletedTask;
            }

            return next(context);
        });
        app.MapHttpFunctions(functions, "api");
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        var services = AzureRouter.Services();
        var azure = AzureRouter.Build(FunctionMetadata.ReadFrom(FunctionApps.Mall), "api", services);

        var differences = new List<string>();
        foreach (var (method, path) in new[]
        {
            ("GET", "/api/products/"), ("GET", "/API/PRODUCTS"), ("GET", "/api//products"), ("GET", "/api/products/p1/"),
            ("GET", "/api/products/p%2F1"), ("GET", "/api/products/p1/x"), ("HEAD", "/api/products"), ("OPTIONS", "/api/products"),
            ("POST", "/api/orders/preview"), ("GET", "/api/orders/preview"), ("GET", "/api"), ("GET", "/api/"), ("GET", "/"), ("TRACE", "/api/health"),
            ("GET", "/api/health?x=1"), ("PATCH", "/api/cart/items/s1"), ("GET", "/api/me/"), ("GET", "/apix/health"),
        })
        {
            var azureFunction = await AzureRouter.FunctionForAsync(azure, services, method, path.Split('?')[0]) ?? "(none: 404)";
            using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
            var local = response.Headers.TryGetValues("x-function", out var values) ? values.Single() : $"(none: {(int)response.StatusCode})";
            output.WriteLine($"{method,-7} {path,-24} azure={azureFunction,-24} local={local}");
            if (azureFunction != local && !(azureFunction.StartsWith("(none", StringComparison.Ordinal) && local.StartsWith("(none", StringComparison.Ordinal)))
            {
                differences.Add($"{method} {path}: azure {azureFunction}, local {local}");
            }
        }

        Assert.Empty(differences);
    }
}
