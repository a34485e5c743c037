using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Mall.LocalHost.Engine;

public enum TriggerKind
{
    Http,
    Timer,
    Orchestration,
    Activity,
    Queue,
}

/// <summary>What the host supplies for one parameter of a function method.</summary>
public enum ParameterSource
{
    HttpRequest,
    RouteValue,
    CancellationToken,
    DurableClient,
    TimerInfo,
    OrchestrationContext,
    OrchestrationInput,
    ActivityInput,
    QueueMessage,
}

public sealed record ParameterBinding(ParameterSource Source, string Name, Type Type);

/// <summary>
/// One function as the local host runs it: its functions.metadata entry bound to the method its entry
/// point names (see <see cref="FunctionCatalog"/>).
/// </summary>
public sealed record FunctionDefinition(string Name, MethodInfo Method, TriggerKind Trigger, IReadOnlyList<ParameterBinding> Parameters)
{
    /// <summary>HTTP: the route under the route prefix (the function name when the metadata has none).</summary>
    public string? Route { get; init; }

    /// <summary>HTTP: allowed methods, upper case; null means any method, as in Functions (and an empty list none).</summary>
    public IReadOnlyList<string>? HttpMethods { get; init; }

    /// <summary>HTTP: anything but Anonymous needs a key (the host's default is Function).</summary>
    public AuthorizationLevel AuthLevel { get; init; } = AuthorizationLevel.Function;

    /// <summary>Timer: the schedule (CRON or TimeSpan, see <see cref="TimerSchedule"/>), %Setting% references already resolved.</summary>
    public string? Schedule { get; init; }

    public bool RunOnStartup { get; init; }

    /// <summary>Timer: keep the schedule's status in storage (the binding's useMonitor, true unless set).</summary>
    public bool UseMonitor { get; init; } = true;

    /// <summary>
    /// The app setting AzureWebJobs.{name}.Disabled (or AzureWebJobs_{name}_Disabled) is "true" or "1"
    /// (azure-webjobs-sdk src/Microsoft.Azure.WebJobs.Host/Listeners/HostListenerFactory.cs, IsDisabled): no trigger
    /// runs it; HTTP answers 404 without the master key; the admin API still runs it.
    /// </summary>
    public bool Disabled { get; init; }

    /// <summary>Queue: the queue's name, %Setting% resolved and lower-cased as the queue extension does.</summary>
    public string? QueueName { get; init; }

    /// <summary>Queue: the setting that holds the storage connection string (see <see cref="StorageConnection"/>).</summary>
    public string? QueueConnectionSetting { get; init; }

    /// <summary>Orchestration/activity: the input type (object when the function takes none).</summary>
    public Type InputType { get; init; } = typeof(object);

    /// <summary>The result type once Task/ValueTask is unwrapped (typeof(void) for none).</summary>
    public Type ResultType { get; init; } = typeof(void);
}
