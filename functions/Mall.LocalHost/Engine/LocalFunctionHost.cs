using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Trace;

namespace Mall.LocalHost.Engine;

/// <summary>
/// A development stand-in for the Azure Functions host: registers the functions of a function app's
/// functions.metadata and serves them — HTTP triggers as ASP.NET Core endpoints, timers on their CRON
/// schedules, queue triggers from Azure Storage queues, orchestrations and activities on the durable
/// engine in storage — with the same classes and dependency injection as the worker. Timer and queue
/// functions can be run on demand with <c>POST /admin/functions/{name}</c> and the master key, like the
/// Functions host's admin API.
/// </summary>
public sealed class LocalFunctionHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalFunctionHost(WebApplication app, IReadOnlyList<FunctionDefinition> functions, string routePrefix)
    {
        this.app = app;
        Functions = functions;
        RoutePrefix = routePrefix;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>host.json's extensions.http.routePrefix.</summary>
    public string RoutePrefix { get; }

    /// <summary>The key the admin API (and non-anonymous HTTP functions) want in x-functions-key.</summary>
    public string MasterKey => app.Services.GetRequiredService<Engine.MasterKey>().Value;

    /// <summary>The durable engine's client (only when some function is durable or takes [DurableClient]).</summary>
    public DurableTaskClient DurableClient => app.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Where orchestrations are kept (null when no function is durable or takes [DurableClient]).</summary>
    public DurableTaskHub? DurableTaskHub { get; private init; }

    /// <exception cref="UnsupportedFunctionException">Azure would refuse a function, or this host cannot run it.</exception>
    /// <exception cref="InvalidDataException">functions.metadata or host.json is missing or not valid.</exception>
    public static async Task<LocalFunctionHost> StartAsync(LocalFunctionHostOptions options, CancellationToken cancellationToken = default)
    {
        var hostJson = HostJson.Load(options.FunctionAppDirectory, options.Configuration);
        // host.json under the settings: the route prefix is the host's, and %Setting% references resolve as before.
        var functions = FunctionCatalog.Load(options.FunctionAppDirectory, hostJson);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalFunctionHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = options.Configuration["AZURE_FUNCTIONS_ENVIRONMENT"] ?? Environments.Development,
        });
        builder.Configuration.AddConfiguration(options.Configuration);
        builder.WebHost.UseUrls(options.Url);
        // The host says when it is ready itself; the framework's and the durable worker's start-up chatter is left out.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning).AddFilter("Microsoft.DurableTask", LogLevel.Warning);
        options.ConfigureLogging(builder.Logging);
        builder.Services.AddRouting();
        // As the worker's ASP.NET Core integration does: the client address the front end put in
        // X-Forwarded-For (trusted from loopback only) becomes the connection's remote address.
        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.All;
            forwarded.ForwardLimit = null;
        });
        builder.Services.AddMvcCore(); // executors for the IActionResult types functions return
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton(new Engine.MasterKey(options.MasterKey ?? Engine.MasterKey.Generate()));
        builder.Services.AddSingleton(FunctionTimeout.FromHostJson(hostJson));
        builder.Services.AddSingleton<TimerFunctions>();
        builder.Services.AddSingleton<QueueFunctions>();
        builder.Services.AddSingleton<ManualRuns>().AddHostedService(services => services.GetRequiredService<ManualRuns>());
        if (options.RunTimers && functions.Any(f => f.Trigger == TriggerKind.Timer))
        {
            // Timer status and listener locks live in the host's storage account, as in Azure.
            var storageSetting = StorageConnection.FindSetting(options.Configuration, connection: null);
            builder.Services.AddSingleton(services => HostStorage.Create(
                options.Configuration[storageSetting]!, options.Configuration, options.FunctionAppDirectory, services.GetRequiredService<ILogger<HostStorage>>()));
            builder.Services.AddHostedService<TimerScheduler>();
        }

        if (functions.Any(f => f.Trigger == TriggerKind.Queue))
        {
            builder.Services.AddSingleton(QueueOptions.FromHostJson(hostJson)).AddHostedService<QueueListeners>();
        }

        WebApplication? app = null;
        DurableTaskHub? durableTaskHub = null;
        if (DurableFunctions.AreUsedBy(functions))
        {
            durableTaskHub = DurableTaskHub.FromConfiguration(hostJson);
            builder.Services.AddDurableFunctions(functions, () => app!.Services, durableTaskHub, options.DurablePort == 0 ? FreeTcpPort() : options.DurablePort);
        }

        if (HostJson.TelemetryMode(hostJson) == TelemetryMode.OpenTelemetry)
        {
            // As the host does in this mode (ScriptHostBuilderExtensions.ConfigureTelemetry, ConfigureOpenTelemetry): a
            // server span per HTTP request, which the worker's invocation span continues. In Azure the host exports it
            // itself; in this one process it joins the app's tracer provider and goes wherever the app's exporters send.
            // The durable engine's gRPC service is this host's inner workings (the host drops its own channels' spans too).
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddAspNetCoreInstrumentation(
                aspNetCore => aspNetCore.Filter = context => !context.Request.Path.StartsWithSegments("/TaskHubSidecarService", StringComparison.Ordinal)));
        }

        options.ConfigureServices(builder.Services, options.Configuration);
        builder.Services.TryAddSingleton(TimeProvider.System);
        app = builder.Build();
        var routePrefix = HostJson.RoutePrefix(hostJson);
        // The host's pipeline (WebJobsApplicationBuilderExtension): failures are a bare 500, its own routes come
        // before the functions', then the functions' routes; what none matches is a 404. The worker applies
        // X-Forwarded-For from the host before any function runs (ConfigureAspNetCoreIntegration).
        app.UseBare500OnFailure();
        app.UseForwardedHeaders();
        app.UseRouting();
        app.MapAdminApi();
        app.UseEndpoints(_ => { });
        app.UseHttpFunctions(functions, routePrefix);
        await app.StartAsync(cancellationToken);
        return new LocalFunctionHost(app, functions, routePrefix) { DurableTaskHub = durableTaskHub };
    }

    /// <summary>Runs a timer or queue function now (a queue function with <paramref name="input"/> as its message) and waits for it to finish.</summary>
    public Task TriggerAsync(string name, string? input = null, CancellationToken cancellationToken = default)
    {
        var runs = app.Services.GetRequiredService<ManualRuns>();
        var function = runs.Find(name) ?? throw new ArgumentException($"There is no timer or queue function '{name}'.", nameof(name));
        return runs.RunAsync(function, input, cancellationToken);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
