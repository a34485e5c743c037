using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Mall.LocalHost.Engine;
using Mall.LocalHost.SampleApp;
using Mall.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Mall.LocalHost.Tests;

/// <summary>The sample app, from the build output where the Worker SDK wrote its functions.metadata, run by the local host on Azurite.</summary>
public sealed class LocalHostFixture : IAsyncLifetime
{
    public LocalFunctionHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public LogCollector Logs { get; } = new();

    public IReadOnlyDictionary<string, string?> Settings { get; private set; } = null!;

    public Probe Probe => Host.Services.GetRequiredService<Probe>();

    public async Task InitializeAsync()
    {
        Settings = SampleSettings.For((await Azurite.InstanceAsync()).ConnectionString);
        Host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
        {
            FunctionAppDirectory = FunctionApps.Sample,
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build(),
            ConfigureServices = (services, _) => services.AddSampleFunctions(),
            ConfigureLogging = logging => logging.AddProvider(Logs).AddFilter<LogCollector>(null, LogLevel.Debug),
        });
        Client = new HttpClient { BaseAddress = Host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }

    /// <summary>An admin API call as curl makes it, with the master key.</summary>
    public Task<HttpResponseMessage> RunThroughAdminApiAsync(string function, string body = "{}", string? key = null) =>
        Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"admin/functions/{function}")
        {
            Headers = { { "x-functions-key", key ?? Host.MasterKey } },
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        });

    public Task WaitForLogAsync(string text) =>
        Eventually.HoldsAsync(() => Logs.Entries.Any(e => e.Message.Contains(text, StringComparison.Ordinal)), $"The log line '{text}'");
}

/// <summary>One host for the test classes that use it (they run one after another).</summary>
[CollectionDefinition(nameof(LocalHostFixture))]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>;

[Collection(nameof(LocalHostFixture))]
public sealed class LocalFunctionHostTests(LocalHostFixture fixture)
{
    private HttpClient Client => fixture.Client;

    [Fact]
    public async Task Http_functions_are_served_under_the_route_prefix_with_route_values_bound_by_name()
    {
        var body = await Client.GetFromJsonAsync<JsonElement>("api/things/abc/parts/3?q=tea");

        Assert.Equal("abc", body.GetProperty("thingId").GetString());
        Assert.Equal(3, body.GetProperty("count").GetInt32());
        Assert.Equal("tea", body.GetProperty("query").GetString());
    }

    [Fact]
    public async Task Each_invocation_gets_its_own_service_scope()
    {
        var first = await Client.GetFromJsonAsync<JsonElement>("api/things/a/parts/1");
        var second = await Client.GetFromJsonAsync<JsonElement>("api/things/a/parts/1");

        Assert.NotEqual(first.GetProperty("scope").GetString(), second.GetProperty("scope").GetString());
    }

    [Fact]
    public async Task Action_results_keep_their_status_and_the_request_body_reaches_the_function()
    {
        var response = await Client.PostAsync("api/things", new StringContent("{\"n\":1}"));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("{\"n\":1}", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("received").GetString());
    }

    /// <summary>
    /// Azure's router takes the first route in function-name order that matches (azure-functions-host#9876):
    /// Sample_Echo's things/{thingId}/parts/{count:int} answers things/special/parts/2, though Sample_Special's
    /// things/special/{*rest} is the more specific route; the catch-all, named last, gets what no other route matches.
    /// </summary>
    [Fact]
    public async Task The_first_function_in_name_order_whose_route_matches_answers()
    {
        Assert.Equal("special", (await Client.GetFromJsonAsync<JsonElement>("api/things/special/parts/2")).GetProperty("thingId").GetString());
        Assert.Equal("special", await Client.GetStringAsync("api/things/special/other"));

        var notFound = await Client.GetAsync("api/things/x/parts/not-a-number");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("/api/things/x/parts/not-a-number", (await notFound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("path").GetString());
    }

    /// <summary>No methods in the metadata: any method reaches the function, TRACE and custom ones too.</summary>
    [Theory]
    [InlineData("TRACE")]
    [InlineData("PURGE")]
    [InlineData("DELETE")]
    public async Task A_function_without_methods_takes_any_method(string method)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "api/any"));

        Assert.Equal(method, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Where the host answers for itself, the answer is a status and no body:
    /// a method no route allows matches no route (the route's HttpMethodRouteConstraint fails): a 404, not a 405;
    /// an empty path segment matches no route, not even the catch-all;
    /// no IActionResult is the response as ASP.NET Core left it (the worker's FunctionsHttpProxyingMiddleware handles no result);
    /// a result that fails while it is written (NaN in JSON) is the host's 500, never the developer exception page.
    /// </summary>
    [Theory]
    [InlineData("DELETE", "api/things", HttpStatusCode.NotFound)]
    [InlineData("GET", "api//things/x/parts/2", HttpStatusCode.NotFound)]
    [InlineData("GET", "api/blank", HttpStatusCode.OK)]
    [InlineData("GET", "api/bad-result", HttpStatusCode.InternalServerError)]
    public async Task Where_the_host_answers_for_itself_it_sends_a_bare_status(string method, string path, HttpStatusCode status)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsStringAsync());
    }

    /// <summary>AzureWebJobs_Sample_Off_Disabled=true: the host answers 404, except to admin credentials (FunctionInvocationMiddleware).</summary>
    [Fact]
    public async Task A_disabled_http_function_is_not_found_except_with_the_master_key()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Client.GetAsync("api/off")).StatusCode);

        Assert.Equal("off", await Client.GetStringAsync($"api/off?code={Uri.EscapeDataString(fixture.Host.MasterKey)}"));
    }

    /// <summary>The isolated Durable extension serializes payloads with the worker's serializer (ObjectConverterShim): property names in any case, no fields.</summary>
    [Fact]
    public void Durable_payloads_go_through_the_workers_serializer()
    {
        var converter = fixture.Host.Services.GetRequiredService<IOptionsMonitor<DurableTaskClientOptions>>().Get(Options.DefaultName).DataConverter;

        Assert.Equal(new Greeting("mei", 2), converter.Deserialize<Greeting>("""{"NAME":"mei","times":2}"""));
        Assert.Equal("""{"Name":"lin"}""", converter.Serialize(new WithField { Name = "lin", Count = 3 }));
    }

    [Fact]
    public async Task A_function_without_a_route_is_served_at_its_name()
    {
        Assert.Equal("default", await Client.GetStringAsync("api/Sample_Default_Route"));
    }

    [Fact]
    public async Task A_function_level_function_wants_a_key_which_locally_is_the_master_key()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync("api/keyed")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.GetAsync("api/keyed?code=wrong")).StatusCode);

        Assert.Equal("keyed", await Client.GetStringAsync($"api/keyed?code={Uri.EscapeDataString(fixture.Host.MasterKey)}"));
    }

    [Fact]
    public async Task An_unhandled_exception_is_a_bare_500_without_details()
    {
        var response = await Client.GetAsync("api/fails");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timers_run_on_startup_and_on_their_cron_schedule_with_settings_resolved()
    {
        await Eventually.HoldsAsync(() => fixture.Probe.Calls.Contains("startup") && fixture.Probe.Calls.Count(c => c == "tick") >= 2, "The startup run and two ticks");

        var schedule = fixture.Host.Functions.Single(f => f.Name == "Sample_EverySecond").Schedule;
        Assert.Equal("* * * * * *", schedule);
    }

    [Fact]
    public async Task A_timer_can_be_run_on_demand_and_never_overlaps_itself()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.Host.TriggerAsync("Sample_Nightly")));
        var viaAdminApi = await fixture.RunThroughAdminApiAsync("Sample_Nightly");

        Assert.Equal(HttpStatusCode.Accepted, viaAdminApi.StatusCode);
        await fixture.WaitForLogAsync("Admin run of Sample_Nightly: Succeeded in");
        Assert.Equal(5, fixture.Probe.Calls.Count(c => c == "nightly"));
        Assert.Equal(1, fixture.Probe.MaxConcurrentRuns["nightly"]);
    }

    [Fact]
    public async Task The_admin_api_wants_the_master_key_in_the_header_or_the_code_parameter()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client.PostAsync("admin/functions/Sample_FailingTimer", JsonContent.Create(new { }))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.RunThroughAdminApiAsync("Sample_FailingTimer", key: "not-the-key")).StatusCode);

        var withCode = await Client.PostAsync($"admin/functions/Sample_FailingTimer?code={Uri.EscapeDataString(fixture.Host.MasterKey)}", JsonContent.Create(new { input = "" }));
        Assert.Equal(HttpStatusCode.Accepted, withCode.StatusCode);
    }

    [Fact]
    public async Task An_admin_run_is_accepted_at_once_and_its_outcome_is_logged_in_one_line()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await fixture.RunThroughAdminApiAsync("Sample_FailingTimer", """{"input":"ignored by timers"}""")).StatusCode);

        await fixture.WaitForLogAsync("Admin run of Sample_FailingTimer: Failed in");
        var line = fixture.Logs.Entries.First(e => e.Message.StartsWith("Admin run of Sample_FailingTimer: Failed in", StringComparison.Ordinal));
        Assert.EndsWith("ms: the nightly export is broken", line.Message, StringComparison.Ordinal);
        Assert.Null(line.Exception); // one line: no stack trace
        Assert.Equal(LogLevel.Error, line.Level);
    }

    [Theory]
    [InlineData("Sample_Nightly", "[]", "text/plain", HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json")]
    [InlineData("Sample_Nightly", "", "application/json", HttpStatusCode.BadRequest, "The body must be a JSON object like {\"input\": \"...\"}")]
    [InlineData("Sample_Nightly", "[]", "application/json", HttpStatusCode.BadRequest, "JSON object")]
    [InlineData("Sample_Nightly", """{"input": 5}""", "application/json", HttpStatusCode.BadRequest, "'input' must be a string, not number")]
    [InlineData("Nope", "{}", "application/json", HttpStatusCode.NotFound, "There is no function 'Nope'.")]
    [InlineData("Sample_Echo", "{}", "application/json", HttpStatusCode.BadRequest, "not a timer or queue function")]
    public async Task The_admin_api_refuses_what_it_cannot_run_and_says_why(string function, string body, string contentType, HttpStatusCode status, string reason)
    {
        var response = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"admin/functions/{function}")
        {
            Headers = { { "x-functions-key", fixture.Host.MasterKey } },
            Content = new StringContent(body, Encoding.UTF8, contentType),
        });

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(reason, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Durable_client_parameters_start_orchestrations_that_run_their_activities()
    {
        var response = await Client.PostAsync("api/greetings/mei", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var instanceId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("instanceId").GetString()!;

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var completed = await fixture.Host.DurableClient.WaitForInstanceCompletionAsync(instanceId, getInputsAndOutputs: true, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, completed.RuntimeStatus);
        Assert.Equal("hello mei hello mei", completed.ReadOutputAs<string>());
    }
}

/// <summary>A public field: the worker's serializer leaves it out (it does not include fields).</summary>
#pragma warning disable CA1051 // the public field is what the test is about
public sealed class WithField
{
    public int Count;

    public string Name { get; init; } = string.Empty;
}
#pragma warning restore CA1051
