using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.LocalHost.Tests;

public sealed class LocalHostFixture : IAsyncLifetime
{
    public LocalFunctionHost Host { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    public Probe Probe { get; } = new();

    public async Task InitializeAsync()
    {
        var azurite = await Azurite.InstanceAsync();
        Host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
        {
            FunctionAssemblies = [typeof(SampleHttpFunctions).Assembly],
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["SampleSchedule"] = "* * * * * *",
                [DurableTaskHub.StorageSetting] = azurite.ConnectionString,
                [DurableTaskHub.NameSetting] = Azurite.NewTablePrefix() + "Hub",
            }).Build(),
            ConfigureServices = (services, _) => services.AddSingleton(Probe).AddScoped<InvocationScope>(),
            RoutePrefix = "api",
        });
        Client = new HttpClient { BaseAddress = Host.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
    }
}

public sealed class LocalFunctionHostTests(LocalHostFixture fixture) : IClassFixture<LocalHostFixture>
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

    [Fact]
    public async Task Literal_and_parameter_routes_win_over_the_catch_all_which_gets_the_rest()
    {
        Assert.Equal(HttpStatusCode.OK, (await Client.GetAsync("api/things/x/parts/2")).StatusCode);

        var notFound = await Client.GetAsync("api/things/x/parts/not-a-number");
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("/api/things/x/parts/not-a-number", (await notFound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("path").GetString());
    }

    [Fact]
    public async Task A_method_the_attribute_does_not_allow_is_not_routed_to_the_function()
    {
        var response = await Client.DeleteAsync("api/things");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Fact]
    public async Task A_function_without_a_route_is_served_at_its_name()
    {
        Assert.Equal("default", await Client.GetStringAsync("api/Sample_Default_Route"));
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
        await WaitUntilAsync(() => fixture.Probe.Calls.Contains("startup") && fixture.Probe.Calls.Count(c => c == "tick") >= 2);

        var schedule = fixture.Host.Functions.Single(f => f.Name == "Sample_EverySecond").Schedule;
        Assert.Equal("* * * * * *", schedule);
    }

    [Fact]
    public async Task A_timer_can_be_run_on_demand_and_never_overlaps_itself()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.Host.TriggerAsync("Sample_Nightly")));
        var viaAdminApi = await Client.PostAsync("admin/functions/Sample_Nightly", null);

        Assert.Equal(HttpStatusCode.Accepted, viaAdminApi.StatusCode);
        Assert.Equal(5, fixture.Probe.Calls.Count(c => c == "nightly"));
        Assert.Equal(1, fixture.Probe.MaxConcurrentRuns["nightly"]);
    }

    [Fact]
    public async Task The_admin_api_names_the_timers_when_asked_for_an_unknown_function()
    {
        var response = await Client.PostAsync("admin/functions/Nope", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("Sample_Nightly", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
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

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition was not met within 20 s.");
            await Task.Delay(100);
        }
    }
}
