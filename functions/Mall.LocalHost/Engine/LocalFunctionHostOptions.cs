namespace Mall.LocalHost.Engine;

public sealed class LocalFunctionHostOptions
{
    /// <summary>
    /// The function app's build output: functions.metadata (written by the Worker SDK), the assemblies it
    /// names and host.json. A project that references the function app gets a copy in its own output.
    /// </summary>
    public required string FunctionAppDirectory { get; init; }

    /// <summary>The functions' configuration (local.settings values, environment, test settings); AzureFunctionsJobHost:… keys override host.json.</summary>
    public IConfiguration Configuration { get; init; } = new ConfigurationBuilder().Build();

    /// <summary>Registers what the function classes depend on — the same call the worker's Program makes.</summary>
    public Action<IServiceCollection, IConfiguration> ConfigureServices { get; init; } = (_, _) => { };

    public Action<ILoggingBuilder> ConfigureLogging { get; init; } = _ => { };

    /// <summary>Where to listen; port 0 picks a free port (see <see cref="LocalFunctionHost.BaseAddress"/>).</summary>
    public string Url { get; init; } = "http://127.0.0.1:0";

    /// <summary>The admin API's key (x-functions-key); a new random one for each host when not given.</summary>
    public string? MasterKey { get; init; }

    /// <summary>Run timer functions on their schedules; off in tests that trigger them explicitly.</summary>
    public bool RunTimers { get; init; } = true;

    /// <summary>Port of the durable engine's gRPC sidecar; 0 picks a free one.</summary>
    public int DurablePort { get; init; }
}
