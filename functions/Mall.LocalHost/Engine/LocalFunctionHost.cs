using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mall.LocalHost.Engine;

/// <summary>
/// A development stand-in for the Azure Functions host: discovers the <c>[Function]</c> methods of the
/// given assemblies and serves them — HTTP triggers as ASP.NET Core endpoints, timers on their CRON
/// schedules, orchestrations and activities on the durable engine in storage — with the same classes,
/// attributes and dependency injection as the worker. Non-HTTP functions can be run on demand with
/// <c>POST /admin/functions/{name}</c>, like the Functions host's admin API.
/// </summary>
public sealed class LocalFunctionHost : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalFunctionHost(WebApplication app, IReadOnlyList<FunctionDefinition> functions)
    {
        this.app = app;
        Functions = functions;
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => app.Services;

    public IReadOnlyList<FunctionDefinition> Functions { get; }

    /// <summary>The durable engine's client (only when some function is durable or takes [DurableClient]).</summary>
    public DurableTaskClient DurableClient => app.Services.GetRequiredService<DurableTaskClient>();

    /// <summary>Where orchestrations are kept (null when no function is durable or takes [DurableClient]).</summary>
    public DurableTaskHub? DurableTaskHub { get; private init; }

    /// <exception cref="UnsupportedFunctionException">A function has a trigger or binding this host cannot run.</exception>
    public static async Task<LocalFunctionHost> StartAsync(LocalFunctionHostOptions options, CancellationToken cancellationToken = default)
    {
        var functions = FunctionCatalog.Discover(options.FunctionAssemblies, options.Configuration);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(LocalFunctionHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = options.Configuration["AZURE_FUNCTIONS_ENVIRONMENT"] ?? Environments.Development,
        });
        builder.Configuration.AddConfiguration(options.Configuration);
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Grpc", LogLevel.Warning);
        options.ConfigureLogging(builder.Logging);
        builder.Services.AddRouting();
        builder.Services.AddMvcCore(); // executors for the IActionResult types functions return
        builder.Services.AddSingleton(functions);
        builder.Services.AddSingleton<TimerFunctions>();
        if (options.RunTimers)
        {
            builder.Services.AddHostedService<TimerScheduler>();
        }

        WebApplication? app = null;
        DurableTaskHub? durableTaskHub = null;
        if (DurableFunctions.AreUsedBy(functions))
        {
            durableTaskHub = DurableTaskHub.FromConfiguration(options.Configuration, options.DurableHubName);
            builder.Services.AddDurableFunctions(functions, () => app!.Services, durableTaskHub, options.DurablePort == 0 ? FreeTcpPort() : options.DurablePort);
        }

        options.ConfigureServices(builder.Services, options.Configuration);
        builder.Services.TryAddSingleton(TimeProvider.System);
        app = builder.Build();
        app.MapHttpFunctions(functions, options.RoutePrefix);
        app.MapPost("/admin/functions/{name}", TriggerEndpointAsync);
        await app.StartAsync(cancellationToken);
        return new LocalFunctionHost(app, functions) { DurableTaskHub = durableTaskHub };
    }

    /// <summary>Runs a timer function now and waits for it to finish.</summary>
    public Task TriggerAsync(string name, CancellationToken cancellationToken = default)
    {
        var timers = app.Services.GetRequiredService<TimerFunctions>();
        var function = timers.Find(name) ?? throw new ArgumentException($"There is no timer function '{name}'.", nameof(name));
        return timers.RunAsync(function, isPastDue: false, cancellationToken);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private static async Task<IResult> TriggerEndpointAsync(string name, TimerFunctions timers, CancellationToken cancellationToken)
    {
        if (timers.Find(name) is not { } function)
        {
            return Results.NotFound(new { error = $"There is no timer function '{name}'.", timers = timers.All.Select(t => t.Name) });
        }

        await timers.RunAsync(function, isPastDue: false, cancellationToken);
        return Results.Accepted();
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
