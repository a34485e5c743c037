using System.Reflection;

namespace Mall.LocalHost.Engine;

public enum TriggerKind
{
    Http,
    Timer,
    Orchestration,
    Activity,
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
}

public sealed record ParameterBinding(ParameterSource Source, string Name, Type Type);

/// <summary>
/// One <c>[Function]</c> method as the local host runs it, read from the same attributes the Azure
/// Functions host reads (see <see cref="FunctionCatalog"/>).
/// </summary>
public sealed record FunctionDefinition(string Name, MethodInfo Method, TriggerKind Trigger, IReadOnlyList<ParameterBinding> Parameters)
{
    /// <summary>HTTP: the route under the route prefix (the function name when the attribute has none).</summary>
    public string? Route { get; init; }

    /// <summary>HTTP: allowed methods, upper case; empty means any method, as in Functions.</summary>
    public IReadOnlyList<string> HttpMethods { get; init; } = [];

    /// <summary>Timer: the 6-field CRON expression, %Setting% references already resolved.</summary>
    public string? Schedule { get; init; }

    public bool RunOnStartup { get; init; }

    /// <summary>Orchestration/activity: the input type (object when the function takes none).</summary>
    public Type InputType { get; init; } = typeof(object);

    /// <summary>The result type once Task/ValueTask is unwrapped (typeof(void) for none).</summary>
    public Type ResultType { get; init; } = typeof(void);
}
