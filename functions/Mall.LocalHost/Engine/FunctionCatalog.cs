using System.Reflection;
using System.Text.RegularExpressions;
using Cronos;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Finds the <c>[Function]</c> methods of the given assemblies and works out how to call each one from
/// its trigger and parameter attributes, exactly the information the Functions host uses; nothing is
/// mapped by hand. Anything the local host cannot run is reported, all at once, before it starts.
/// </summary>
public static partial class FunctionCatalog
{
    public static IReadOnlyList<FunctionDefinition> Discover(IEnumerable<Assembly> assemblies, IConfiguration configuration) =>
        Discover(assemblies.SelectMany(assembly => assembly.GetExportedTypes()), configuration);

    public static IReadOnlyList<FunctionDefinition> Discover(IEnumerable<Type> types, IConfiguration configuration)
    {
        var definitions = new List<FunctionDefinition>();
        var problems = new List<string>();
        var methods = types
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(method => method.GetCustomAttribute<FunctionAttribute>() is not null);
        foreach (var method in methods)
        {
            var name = method.GetCustomAttribute<FunctionAttribute>()!.Name;
            try
            {
                definitions.Add(Describe(name, method, configuration));
            }
            catch (UnsupportedFunctionException exception)
            {
                problems.Add($"{name} ({method.DeclaringType!.FullName}.{method.Name}): {exception.Message}");
            }
        }

        problems.AddRange(definitions.GroupBy(d => d.Name, StringComparer.OrdinalIgnoreCase)
            .Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: the function name is used by {group.Count()} methods."));
        if (problems.Count > 0)
        {
            throw new UnsupportedFunctionException(
                "The local host cannot run these functions:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)));
        }

        return definitions.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();
    }

    private static FunctionDefinition Describe(string name, MethodInfo method, IConfiguration configuration)
    {
        if (method.ReturnParameter.GetCustomAttributes().OfType<OutputBindingAttribute>().FirstOrDefault() is { } output)
        {
            throw new UnsupportedFunctionException($"output binding {AttributeName(output)} is not supported.");
        }

        var triggers = method.GetParameters()
            .Select(parameter => (parameter, trigger: parameter.GetCustomAttributes().OfType<TriggerBindingAttribute>().FirstOrDefault()))
            .Where(p => p.trigger is not null)
            .ToList();
        if (triggers.Count != 1)
        {
            throw new UnsupportedFunctionException("a function needs exactly one trigger parameter.");
        }

        var (triggerParameter, attribute) = triggers[0];
        var resultType = UnwrapAwaitable(method.ReturnType);
        return attribute switch
        {
            HttpTriggerAttribute http => DescribeHttp(name, method, triggerParameter, http, resultType),
            TimerTriggerAttribute timer => DescribeTimer(name, method, timer, resultType, configuration),
            OrchestrationTriggerAttribute => DescribeOrchestration(name, method, triggerParameter, resultType),
            ActivityTriggerAttribute => DescribeActivity(name, method, triggerParameter, resultType),
            _ => throw new UnsupportedFunctionException(
                $"trigger {AttributeName(attribute!)} is not supported (HttpTrigger, TimerTrigger, OrchestrationTrigger and ActivityTrigger are)."),
        };
    }

    private static FunctionDefinition DescribeHttp(string name, MethodInfo method, ParameterInfo trigger, HttpTriggerAttribute http, Type resultType)
    {
        if (trigger.ParameterType != typeof(HttpRequest))
        {
            throw new UnsupportedFunctionException(
                $"the HttpTrigger parameter must be Microsoft.AspNetCore.Http.HttpRequest (ASP.NET Core integration), not {trigger.ParameterType.Name}.");
        }

        if (!typeof(IActionResult).IsAssignableFrom(resultType))
        {
            throw new UnsupportedFunctionException($"HTTP functions must return IActionResult or Task<IActionResult>, not {method.ReturnType.Name}.");
        }

        var route = string.IsNullOrEmpty(http.Route) ? name : http.Route;
        var routeParameters = RoutePatternFactory.Parse(route).Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var bindings = method.GetParameters().Select(parameter => parameter == trigger
            ? new ParameterBinding(ParameterSource.HttpRequest, parameter.Name!, parameter.ParameterType)
            : BindCommon(parameter) ?? (routeParameters.Contains(parameter.Name!) && IsSimple(parameter.ParameterType)
                ? new ParameterBinding(ParameterSource.RouteValue, parameter.Name!, parameter.ParameterType)
                : throw Unbindable(parameter, "it is neither a route parameter nor a supported binding"))).ToList();
        return new FunctionDefinition(name, method, TriggerKind.Http, bindings)
        {
            Route = route,
            HttpMethods = (http.Methods ?? []).Select(m => m.ToUpperInvariant()).ToList(),
            ResultType = resultType,
        };
    }

    private static FunctionDefinition DescribeTimer(string name, MethodInfo method, TimerTriggerAttribute timer, Type resultType, IConfiguration configuration)
    {
        var bindings = method.GetParameters().Select(parameter => parameter.ParameterType == typeof(TimerInfo)
            ? new ParameterBinding(ParameterSource.TimerInfo, parameter.Name!, parameter.ParameterType)
            : BindCommon(parameter) ?? throw Unbindable(parameter, "timer functions take TimerInfo, CancellationToken and [DurableClient]")).ToList();
        var schedule = ResolveSettings(timer.Schedule, configuration);
        try
        {
            CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
        }
        catch (CronFormatException exception)
        {
            throw new UnsupportedFunctionException($"schedule '{schedule}' is not a 6-field CRON expression ({exception.Message}).");
        }

        return new FunctionDefinition(name, method, TriggerKind.Timer, bindings)
        {
            Schedule = schedule,
            RunOnStartup = timer.RunOnStartup,
            ResultType = resultType,
        };
    }

    private static FunctionDefinition DescribeOrchestration(string name, MethodInfo method, ParameterInfo trigger, Type resultType)
    {
        if (trigger.ParameterType != typeof(TaskOrchestrationContext))
        {
            throw new UnsupportedFunctionException("the OrchestrationTrigger parameter must be a TaskOrchestrationContext.");
        }

        // As in the isolated Durable extension, one otherwise unbound parameter receives the orchestration input.
        var inputs = method.GetParameters().Where(p => p != trigger).ToList();
        if (inputs.Count > 1 || inputs.Any(p => p.GetCustomAttributes().OfType<BindingAttribute>().Any() || p.ParameterType == typeof(FunctionContext)))
        {
            throw new UnsupportedFunctionException("an orchestrator takes its TaskOrchestrationContext and at most one input parameter.");
        }

        var bindings = method.GetParameters().Select(parameter => parameter == trigger
            ? new ParameterBinding(ParameterSource.OrchestrationContext, parameter.Name!, parameter.ParameterType)
            : new ParameterBinding(ParameterSource.OrchestrationInput, parameter.Name!, parameter.ParameterType)).ToList();
        return new FunctionDefinition(name, method, TriggerKind.Orchestration, bindings)
        {
            InputType = inputs.FirstOrDefault()?.ParameterType ?? typeof(object),
            ResultType = resultType,
        };
    }

    private static FunctionDefinition DescribeActivity(string name, MethodInfo method, ParameterInfo trigger, Type resultType)
    {
        var bindings = method.GetParameters().Select(parameter => parameter == trigger
            ? new ParameterBinding(ParameterSource.ActivityInput, parameter.Name!, parameter.ParameterType)
            : BindCommon(parameter) ?? throw Unbindable(parameter, "activities take their input, CancellationToken and [DurableClient]")).ToList();
        return new FunctionDefinition(name, method, TriggerKind.Activity, bindings)
        {
            InputType = trigger.ParameterType,
            ResultType = resultType,
        };
    }

    /// <summary>Bindings every trigger kind accepts; null when the parameter is none of them.</summary>
    private static ParameterBinding? BindCommon(ParameterInfo parameter)
    {
        if (parameter.ParameterType == typeof(CancellationToken))
        {
            return new ParameterBinding(ParameterSource.CancellationToken, parameter.Name!, parameter.ParameterType);
        }

        if (parameter.GetCustomAttribute<DurableClientAttribute>() is not null)
        {
            return parameter.ParameterType == typeof(DurableTaskClient)
                ? new ParameterBinding(ParameterSource.DurableClient, parameter.Name!, parameter.ParameterType)
                : throw Unbindable(parameter, "[DurableClient] parameters must be DurableTaskClient");
        }

        return null;
    }

    private static UnsupportedFunctionException Unbindable(ParameterInfo parameter, string why)
    {
        var binding = parameter.GetCustomAttributes().OfType<BindingAttribute>().FirstOrDefault();
        var what = binding is null ? parameter.ParameterType.Name : $"{AttributeName(binding)} {parameter.ParameterType.Name}";
        return new UnsupportedFunctionException($"parameter '{parameter.Name}' ({what}) cannot be bound: {why}.");
    }

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

    private static string AttributeName(Attribute attribute) => attribute.GetType().Name.Replace("Attribute", string.Empty, StringComparison.Ordinal);

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingReference();
}

public sealed class UnsupportedFunctionException(string message) : Exception(message);
