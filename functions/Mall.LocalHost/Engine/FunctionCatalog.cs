using System.Reflection;
using System.Runtime.Loader;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Registers functions the way the Functions host does: from the function app's functions.metadata
/// (names, entry points, bindings), refused at start where the host would refuse them
/// (<see cref="HostRules"/>), each bound to the method its entry point names, its parameters to the
/// bindings by name, as the worker does. Anything the local host cannot run is reported, all at once.
/// </summary>
public static partial class FunctionCatalog
{
    /// <exception cref="InvalidDataException">The directory has no readable functions.metadata.</exception>
    /// <exception cref="UnsupportedFunctionException">Some functions cannot run; the message names each and why.</exception>
    public static IReadOnlyList<FunctionDefinition> Load(string functionAppDirectory, IConfiguration configuration) =>
        Bind(FunctionMetadata.ReadFrom(functionAppDirectory), functionAppDirectory, configuration);

    public static IReadOnlyList<FunctionDefinition> Bind(IReadOnlyList<FunctionMetadata> metadata, string functionAppDirectory, IConfiguration configuration)
    {
        var problems = HostRules.Check(metadata, HostJson.RoutePrefix(configuration)).ToList();
        var refused = problems.Select(p => p.Function).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var definitions = new List<FunctionDefinition>();
        foreach (var function in metadata.Where(f => !refused.Contains(f.Name)))
        {
            try
            {
                definitions.Add(Describe(function, FindMethod(function, functionAppDirectory), configuration) with { Disabled = IsDisabled(function.Name, configuration) });
            }
            catch (UnsupportedFunctionException exception)
            {
                problems.Add(new FunctionProblem(function.Name, exception.Message));
            }
        }

        if (problems.Count > 0)
        {
            throw new UnsupportedFunctionException(
                "The local host cannot run these functions:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)));
        }

        return definitions.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>azure-webjobs-sdk src/Microsoft.Azure.WebJobs.Host/Listeners/HostListenerFactory.cs, IsDisabled (IConfigurationExtensions.IsSettingEnabled).</summary>
    private static bool IsDisabled(string function, IConfiguration configuration) =>
        new[] { $"AzureWebJobs.{function}.Disabled", $"AzureWebJobs_{function}_Disabled" }
            .Any(setting => configuration[setting] is "1" || string.Equals(configuration[setting], "true", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The entry point's method (Namespace.Type.Method) in the scriptFile assembly. An assembly this
    /// process already references is that one (the function classes must be the types the app's
    /// composition root registered); any other is loaded from the function app directory.
    /// </summary>
    private static MethodInfo FindMethod(FunctionMetadata function, string functionAppDirectory)
    {
        var path = Path.Combine(functionAppDirectory, function.ScriptFile ?? string.Empty);
        if (string.IsNullOrEmpty(function.ScriptFile) || !File.Exists(path))
        {
            throw new UnsupportedFunctionException($"scriptFile '{function.ScriptFile}' does not exist in {functionAppDirectory}.");
        }

        var assembly = LoadAssembly(path);
        var entryPoint = function.EntryPoint ?? string.Empty;
        var dot = entryPoint.LastIndexOf('.');
        var type = dot > 0 ? assembly.GetType(entryPoint[..dot]) : null;
        if (type is null)
        {
            throw new UnsupportedFunctionException($"entryPoint '{entryPoint}' names no type of {assembly.GetName().Name}.");
        }

        var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static).Where(m => m.Name == entryPoint[(dot + 1)..]).ToList();
        return methods.Count == 1
            ? methods[0]
            : throw new UnsupportedFunctionException($"entryPoint '{entryPoint}' names {methods.Count} public methods; it must name exactly one.");
    }

    private static Assembly LoadAssembly(string path)
    {
        var name = AssemblyName.GetAssemblyName(path);
        try
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyName(name);
        }
        catch (FileNotFoundException)
        {
            return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
        }
    }

    private static FunctionDefinition Describe(FunctionMetadata function, MethodInfo method, IConfiguration configuration)
    {
        var trigger = function.Trigger;
        if (function.Bindings.FirstOrDefault(b => !b.IsInput && !(b.IsReturn && b.IsOfType("http"))) is { } output)
        {
            throw new UnsupportedFunctionException($"output binding '{output.Name}' ({output.Type}) is not supported; the only output is an HTTP function's $return.");
        }

        var unbound = function.Bindings.Where(b => b.IsInput && method.GetParameters().All(p => p.Name != b.Name)).ToList();
        if (unbound.Count > 0)
        {
            throw new UnsupportedFunctionException($"binding(s) {string.Join(", ", unbound.Select(b => $"'{b.Name}' ({b.Type})"))} match no parameter of {method.DeclaringType!.Name}.{method.Name}.");
        }

        var resultType = UnwrapAwaitable(method.ReturnType);
        return trigger.Type!.ToLowerInvariant() switch
        {
            "httptrigger" => DescribeHttp(function, trigger, method, resultType),
            "timertrigger" => DescribeTimer(function, trigger, method, resultType, configuration),
            "orchestrationtrigger" => DescribeOrchestration(function, trigger, method, resultType),
            "activitytrigger" => DescribeActivity(function, trigger, method, resultType),
            "queuetrigger" => DescribeQueue(function, trigger, method, resultType, configuration),
            _ => throw new UnsupportedFunctionException($"trigger {trigger.Type} is not supported."),
        };
    }

    private static FunctionDefinition DescribeHttp(FunctionMetadata function, BindingMetadata trigger, MethodInfo method, Type resultType)
    {
        var request = TriggerParameter(method, trigger);
        if (request.ParameterType != typeof(HttpRequest))
        {
            throw new UnsupportedFunctionException(
                $"the httpTrigger parameter must be Microsoft.AspNetCore.Http.HttpRequest (ASP.NET Core integration), not {request.ParameterType.Name}.");
        }

        if (!typeof(IActionResult).IsAssignableFrom(resultType))
        {
            throw new UnsupportedFunctionException($"HTTP functions must return IActionResult or Task<IActionResult>, not {method.ReturnType.Name}.");
        }

        // HostRules refused the routes the host could not build.
        var route = HostRules.RouteOf(function);
        var routeParameters = RoutePatternFactory.Parse(route.Template).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);

        var bindings = BindParameters(function, method, ParameterSource.HttpRequest, parameter =>
            routeParameters.Contains(parameter.Name!) && IsSimple(parameter.ParameterType)
                ? new ParameterBinding(ParameterSource.RouteValue, parameter.Name!, parameter.ParameterType)
                : throw Unbindable(parameter, "it is neither a route parameter nor a binding"));
        return new FunctionDefinition(function.Name, method, TriggerKind.Http, bindings)
        {
            Route = route.Template,
            HttpMethods = route.Methods?.Select(m => m.ToUpperInvariant()).ToList(),
            AuthLevel = AuthLevel(trigger),
            ResultType = resultType,
        };
    }

    /// <summary>The host reads authLevel with Function as the default (src/WebJobs.Script/Binding/WebJobsCoreScriptBindingProvider.cs, HttpScriptBinding.GetAttributes).</summary>
    private static AuthorizationLevel AuthLevel(BindingMetadata trigger) => trigger.Get("authLevel") switch
    {
        null => AuthorizationLevel.Function,
        var level when Enum.TryParse<AuthorizationLevel>(level, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
        var level => throw new UnsupportedFunctionException($"authLevel '{level}' is not one of {string.Join(", ", Enum.GetNames<AuthorizationLevel>())}."),
    };

    private static FunctionDefinition DescribeTimer(FunctionMetadata function, BindingMetadata trigger, MethodInfo method, Type resultType, IConfiguration configuration)
    {
        if (TriggerParameter(method, trigger).ParameterType != typeof(TimerInfo))
        {
            throw new UnsupportedFunctionException("the timerTrigger parameter must be a TimerInfo.");
        }

        var schedule = ResolveSettings(trigger.Get("schedule") ?? string.Empty, configuration);
        try
        {
            TimerSchedule.Parse(schedule);
        }
        catch (FormatException exception)
        {
            throw new UnsupportedFunctionException(exception.Message);
        }

        return new FunctionDefinition(function.Name, method, TriggerKind.Timer, BindParameters(function, method, ParameterSource.TimerInfo, NotBindable("timer functions take TimerInfo, CancellationToken and [DurableClient]")))
        {
            Schedule = schedule,
            RunOnStartup = trigger.GetBool("runOnStartup"),
            UseMonitor = trigger.GetBool("useMonitor", whenAbsent: true),
            ResultType = resultType,
        };
    }

    private static FunctionDefinition DescribeOrchestration(FunctionMetadata function, BindingMetadata trigger, MethodInfo method, Type resultType)
    {
        var context = TriggerParameter(method, trigger);
        if (context.ParameterType != typeof(TaskOrchestrationContext))
        {
            throw new UnsupportedFunctionException("the orchestrationTrigger parameter must be a TaskOrchestrationContext.");
        }

        // As in the isolated Durable extension, the one parameter without a binding receives the orchestration input.
        var inputs = method.GetParameters().Where(p => p != context).ToList();
        if (inputs.Count > 1 || inputs.Any(p => p.ParameterType == typeof(FunctionContext) || function.Bindings.Any(b => b.Name == p.Name)))
        {
            throw new UnsupportedFunctionException("an orchestrator takes its TaskOrchestrationContext and at most one input parameter.");
        }

        var bindings = method.GetParameters().Select(parameter => parameter == context
            ? new ParameterBinding(ParameterSource.OrchestrationContext, parameter.Name!, parameter.ParameterType)
            : new ParameterBinding(ParameterSource.OrchestrationInput, parameter.Name!, parameter.ParameterType)).ToList();
        return new FunctionDefinition(function.Name, method, TriggerKind.Orchestration, bindings)
        {
            InputType = inputs.FirstOrDefault()?.ParameterType ?? typeof(object),
            ResultType = resultType,
        };
    }

    private static FunctionDefinition DescribeActivity(FunctionMetadata function, BindingMetadata trigger, MethodInfo method, Type resultType) =>
        new(function.Name, method, TriggerKind.Activity, BindParameters(function, method, ParameterSource.ActivityInput, NotBindable("activities take their input, CancellationToken and [DurableClient]")))
        {
            InputType = TriggerParameter(method, trigger).ParameterType,
            ResultType = resultType,
        };

    /// <summary>
    /// The queue extension's trigger (azure-sdk-for-net sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Queues/
    /// src/Triggers/QueueTriggerAttributeBindingProvider.cs, TryCreateAsync/NormalizeAndValidate): the queue name with
    /// %Setting% resolved, lower-cased and validated; the message reaches a string, byte[], BinaryData,
    /// QueueMessage or (as JSON) any other type.
    /// </summary>
    private static FunctionDefinition DescribeQueue(FunctionMetadata function, BindingMetadata trigger, MethodInfo method, Type resultType, IConfiguration configuration)
    {
        var queueName = ResolveSettings(trigger.Get("queueName") ?? string.Empty, configuration).ToLowerInvariant();
        if (QueueNames.Problem(queueName) is { } problem)
        {
            throw new UnsupportedFunctionException($"queueName: {problem}");
        }

        var connection = trigger.Get("connection") is { } named ? ResolveSettings(named, configuration) : null;
        return new FunctionDefinition(function.Name, method, TriggerKind.Queue, BindParameters(function, method, ParameterSource.QueueMessage, NotBindable("queue functions take the message, CancellationToken and [DurableClient]")))
        {
            QueueName = queueName,
            QueueConnectionSetting = StorageConnection.FindSetting(configuration, connection),
            ResultType = resultType,
        };
    }

    private static ParameterInfo TriggerParameter(MethodInfo method, BindingMetadata trigger) => method.GetParameters().Single(p => p.Name == trigger.Name);

    /// <summary>
    /// The worker's binding by name: the trigger's parameter, the [DurableClient] input binding, the
    /// invocation's CancellationToken; any other parameter is the trigger kind's to bind (route values).
    /// </summary>
    private static List<ParameterBinding> BindParameters(FunctionMetadata function, MethodInfo method, ParameterSource triggerSource, Func<ParameterInfo, ParameterBinding> bindOther) =>
        method.GetParameters().Select(parameter =>
        {
            var binding = function.Bindings.FirstOrDefault(b => b.Name == parameter.Name);
            if (binding is { IsTrigger: true })
            {
                return new ParameterBinding(triggerSource, parameter.Name!, parameter.ParameterType);
            }

            if (binding?.IsOfType("durableClient") == true)
            {
                return parameter.ParameterType == typeof(DurableTaskClient)
                    ? new ParameterBinding(ParameterSource.DurableClient, parameter.Name!, parameter.ParameterType)
                    : throw Unbindable(parameter, "durableClient bindings take a DurableTaskClient");
            }

            if (parameter.ParameterType == typeof(CancellationToken))
            {
                return new ParameterBinding(ParameterSource.CancellationToken, parameter.Name!, parameter.ParameterType);
            }

            return parameter.ParameterType == typeof(FunctionContext)
                ? throw Unbindable(parameter, "the local host has no FunctionContext; take ILogger<T> and services in the constructor")
                : bindOther(parameter);
        }).ToList();

    private static Func<ParameterInfo, ParameterBinding> NotBindable(string why) => parameter => throw Unbindable(parameter, why);

    private static UnsupportedFunctionException Unbindable(ParameterInfo parameter, string why) =>
        new($"parameter '{parameter.Name}' ({parameter.ParameterType.Name}) cannot be bound: {why}.");

    private static string ResolveSettings(string value, IConfiguration configuration) =>
        SettingReference().Replace(value, match =>
        {
            var key = match.Groups[1].Value.Replace("__", ":", StringComparison.Ordinal);
            return configuration[key] ?? throw new UnsupportedFunctionException($"setting '{match.Groups[1].Value}' used in '{value}' is not configured.");
        });

    private static bool IsSimple(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum || underlying == typeof(string) || underlying == typeof(Guid) || underlying == typeof(decimal);
    }

    private static Type UnwrapAwaitable(Type type)
    {
        if (type == typeof(Task) || type == typeof(ValueTask))
        {
            return typeof(void);
        }

        return type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>))
            ? type.GetGenericArguments()[0]
            : type;
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}

public sealed class UnsupportedFunctionException(string message) : Exception(message);
