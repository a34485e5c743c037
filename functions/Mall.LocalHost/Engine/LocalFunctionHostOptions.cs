using System.Reflection;

namespace Mall.LocalHost.Engine;

public sealed class LocalFunctionHostOptions
{
    /// <summary>Assemblies whose <c>[Function]</c> methods the host runs.</summary>
    public required IReadOnlyList<Assembly> FunctionAssemblies { get; init; }

    /// <summary>The functions' configuration (local.settings values, environment, test settings).</summary>
    public IConfiguration Configuration { get; init; } = new ConfigurationBuilder().Build();

    /// <summary>Registers what the function classes depend on — the same call the worker's Program makes.</summary>
    public Action<IServiceCollection, IConfiguration> ConfigureServices { get; init; } = (_, _) => { };

    public Action<ILoggingBuilder> ConfigureLogging { get; init; } = _ => { };

    /// <summary>Where to listen; port 0 picks a free port (see <see cref="LocalFunctionHost.BaseAddress"/>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    /// <summary>host.json's extensions.http.routePrefix.</summary>
    public string RoutePrefix { get; init; } = "api";

    /// <summary>Run timer functions on their schedules; off in tests that trigger them explicitly.</summary>
    public bool RunTimers { get; init; } = true;

    /// <summary>host.json's extensions.durableTask.hubName; an app setting can override it (see <see cref="DurableTaskHub"/>).</summary>
    public string? DurableHubName { get; init; }

    /// <summary>Port of the durable engine's gRPC sidecar; 0 picks a free one.</summary>
    public int DurablePort { get; init; }
}
