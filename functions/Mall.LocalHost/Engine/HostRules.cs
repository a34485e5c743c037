using System.Text.RegularExpressions;

namespace Mall.LocalHost.Engine;

/// <summary>A function the host refuses to run, and why.</summary>
public sealed record FunctionProblem(string Function, string Reason)
{
    public override string ToString() => $"{Function}: {Reason}";
}

/// <summary>
/// The checks the Azure Functions host makes on a function app's metadata before it runs anything, with
/// the host's own messages (Azure/azure-functions-host; the comments name the file and method of each
/// rule). Where Azure would refuse a function at start, so does the local host — it must never serve
/// what Azure will not.
/// </summary>
public static partial class HostRules
{
    /// <summary>The binding types the local host runs; any other is refused as an unregistered extension.</summary>
    public static readonly IReadOnlyList<string> RegisteredBindingTypes =
        ["httpTrigger", "http", "timerTrigger", "orchestrationTrigger", "activityTrigger", "durableClient", "queueTrigger"];

    public static IReadOnlyList<FunctionProblem> Check(IReadOnlyList<FunctionMetadata> functions)
    {
        var problems = new List<FunctionProblem>();
        var httpRoutes = new List<(string Function, string Route, IReadOnlyList<string>? Methods)>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var function in functions)
        {
            var reasons = CheckFunction(function).ToList();
            if (!names.Add(function.Name))
            {
                // src/WebJobs.Script/Host/ScriptHost.cs, ValidateFunction (checked there among HTTP functions; every name is unique here,
                // as the admin API and the durable engine look functions up by name).
                reasons.Add($"The function or proxy name '{function.Name}' must be unique within the function app.");
            }

            if (reasons.Count == 0 && function.Trigger.IsOfType("httpTrigger"))
            {
                reasons.AddRange(CheckHttpRoute(function, httpRoutes));
            }

            problems.AddRange(reasons.Select(reason => new FunctionProblem(function.Name, reason)));
        }

        return problems;
    }

    /// <summary>src/WebJobs.Script/Utility.cs, IsValidFunctionName: a letter, then up to 127 letters, digits, '_' or '-'; never "host".</summary>
    private static bool IsValidFunctionName(string name) =>
        FunctionName().IsMatch(name) && !string.Equals(name, "host", StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> CheckFunction(FunctionMetadata function)
    {
        if (!IsValidFunctionName(function.Name))
        {
            // src/WebJobs.Script/Utility.cs, ValidateName, called by Host/WorkerFunctionMetadataProvider.cs, ValidateMetadata.
            yield return $"'{function.Name}' is not a valid function name.";
        }

        // src/WebJobs.Script/Host/WorkerFunctionMetadataProvider.cs, ValidateBindings, and
        // src/WebJobs.Script/Description/FunctionDescriptorProvider.cs, ValidateFunction and ValidateBinding.
        var bindingNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var binding in function.Bindings)
        {
            foreach (var reason in CheckBinding(binding))
            {
                yield return reason;
            }

            if (binding.Name is { } name && !bindingNames.Add(name))
            {
                yield return $"Multiple bindings with name '{name}' discovered. Binding names must be unique.";
            }
        }

        if (function.Bindings.Count == 0)
        {
            yield return "At least one binding must be declared.";
            yield break;
        }

        var triggers = function.Bindings.Count(b => b.IsInput && b.IsTrigger);
        if (triggers == 0)
        {
            yield return "No trigger binding specified. A function must have a trigger input binding.";
        }
        else if (triggers > 1)
        {
            yield return "Multiple trigger bindings defined. A function can only have a single trigger binding.";
        }

        // src/WebJobs.Script/Description/FunctionDescriptorProvider.cs, VerifyResolvedBindings/CreateBindingError:
        // a type no installed extension resolves (here: one the local host does not run).
        var unregistered = function.Bindings.Select(b => b.Type).OfType<string>()
            .Where(type => !RegisteredBindingTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (unregistered.Count > 0)
        {
            yield return $"The binding type(s) '{string.Join(", ", unregistered)}' are not registered in the local host (it runs {string.Join(", ", RegisteredBindingTypes)}).";
        }
    }

    private static IEnumerable<string> CheckBinding(BindingMetadata binding)
    {
        // src/WebJobs.Script/Utility.cs, ValidateBinding.
        if (binding.Name is not { } name || !BindingName().IsMatch(name))
        {
            yield return $"The binding name {binding.Name} is invalid. Please assign a valid name to the binding.";
        }

        if (binding.Direction is { } direction && !Enum.TryParse<BindingDirection>(direction, ignoreCase: true, out _))
        {
            // src/WebJobs.Script.Abstractions/Description/Binding/BindingMetadata.cs, Create.
            yield return $"'{direction}' is not a valid binding direction.";
        }
        else if (binding.IsReturn && binding.IsInput)
        {
            yield return $"{BindingMetadata.ReturnName} bindings must specify a direction of 'out'.";
        }

        if (binding.Type is null)
        {
            // src/WebJobs.Script/Description/FunctionDescriptorProvider.cs, ValidateBinding.
            yield return $"Binding '{binding.Name}' is invalid. Bindings must specify a Type.";
        }
    }

    /// <summary>src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction and HttpRoutesConflict, against the HTTP functions accepted so far.</summary>
    private static IEnumerable<string> CheckHttpRoute(FunctionMetadata function, List<(string Function, string Route, IReadOnlyList<string>? Methods)> accepted)
    {
        var trigger = function.Trigger;
        var route = DefaultRoute(function.Name, trigger.Get("route"));
        var methods = trigger.GetStrings("methods");
        var trimmed = route.Trim('/');
        var lowerCase = trimmed.ToLowerInvariant();
        if (lowerCase.StartsWith("admin", StringComparison.Ordinal) || lowerCase.StartsWith("runtime", StringComparison.Ordinal))
        {
            yield return "The specified route conflicts with one or more built in routes.";
            yield break;
        }

        if (accepted.FirstOrDefault(other => string.Equals(other.Route, trimmed, StringComparison.OrdinalIgnoreCase) && MethodsIntersect(methods, other.Methods)) is { Function: { } conflicting })
        {
            yield return $"The route specified conflicts with the route defined by function '{conflicting}'.";
            yield break;
        }

        accepted.Add((function.Name, trimmed, methods));
    }

    /// <summary>src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction: a route left out (or blank) is the function's name.</summary>
    public static string DefaultRoute(string functionName, string? route) => string.IsNullOrWhiteSpace(route) ? functionName : route;

    /// <summary>
    /// No methods means every method, which meets any other list; otherwise the lists must share one. The
    /// host compares the strings as written (ordinal), and so does this.
    /// </summary>
    private static bool MethodsIntersect(IReadOnlyList<string>? methods, IReadOnlyList<string>? others) =>
        methods is not { Count: > 0 } || others is not { Count: > 0 } || methods.Intersect(others, StringComparer.Ordinal).Any();

    [GeneratedRegex("^[a-z][a-z0-9_-]{0,127}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();

    [GeneratedRegex(@"^([a-zA-Z][a-zA-Z0-9]{0,127}|\$return)$")]
    private static partial Regex BindingName();

    private enum BindingDirection
    {
        In,
        Out,
        InOut,
    }
}
