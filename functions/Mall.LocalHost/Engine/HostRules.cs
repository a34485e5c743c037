using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

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
/// what Azure will not. It also refuses an HTTP function Azure would start but never run, because a
/// function named before it takes all of its requests for a method (Unreachable).
/// </summary>
public static partial class HostRules
{
    /// <summary>The binding types the local host runs; any other is refused as an unregistered extension.</summary>
    public static readonly IReadOnlyList<string> RegisteredBindingTypes =
        ["httpTrigger", "http", "timerTrigger", "orchestrationTrigger", "activityTrigger", "durableClient", "queueTrigger"];

    /// <param name="routePrefix">host.json's extensions.http.routePrefix: HTTP routes are checked as the host builds them.</param>
    public static IReadOnlyList<FunctionProblem> Check(IReadOnlyList<FunctionMetadata> functions, string routePrefix)
    {
        var problems = new List<FunctionProblem>();
        var httpRoutes = new List<HttpRoute>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        // The host validates its functions in its own order, by name (FunctionMetadataManager.GetFunctionMetadata).
        foreach (var function in functions.OrderBy(f => f.Name, StringComparer.OrdinalIgnoreCase))
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
                reasons.AddRange(CheckHttpRoute(function, routePrefix, httpRoutes));
            }

            problems.AddRange(reasons.Select(reason => new FunctionProblem(function.Name, reason)));
        }

        problems.AddRange(Unreachable(httpRoutes, routePrefix));
        return problems;
    }

    /// <summary>The function's route and methods as the host maps them (WebScriptHostHttpRoutesManager.InitializeHttpFunctionRoutes).</summary>
    public static HttpRoute RouteOf(FunctionMetadata function) =>
        new(function.Name, DefaultRoute(function.Name, function.Trigger.Get("route")), function.Trigger.GetStrings("methods"));

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

    /// <summary>
    /// src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction and HttpRoutesConflict, against the HTTP functions
    /// accepted so far; then the route as the host builds it, where a template its Route cannot parse
    /// ("api" + "/" + "/orders" has two separators in a row) or an inline constraint it cannot resolve
    /// throws, and the host does not start.
    /// </summary>
    private static IEnumerable<string> CheckHttpRoute(FunctionMetadata function, string routePrefix, List<HttpRoute> accepted)
    {
        var route = RouteOf(function);
        var trimmed = route.Template.Trim('/');
        var lowerCase = trimmed.ToLowerInvariant();
        if (lowerCase.StartsWith("admin", StringComparison.Ordinal) || lowerCase.StartsWith("runtime", StringComparison.Ordinal))
        {
            yield return "The specified route conflicts with one or more built in routes.";
            yield break;
        }

        if (accepted.FirstOrDefault(other => string.Equals(other.Template.Trim('/'), trimmed, StringComparison.OrdinalIgnoreCase) && MethodsIntersect(route.Methods, other.Methods)) is { Function: { } conflicting })
        {
            yield return $"The route specified conflicts with the route defined by function '{conflicting}'.";
            yield break;
        }

        var invalid = InvalidRouteReason(route, routePrefix);
        if (invalid is not null)
        {
            yield return invalid;
            yield break;
        }

        accepted.Add(route);
    }

    private static string? InvalidRouteReason(HttpRoute route, string routePrefix)
    {
        try
        {
            HttpFunctionRoutes.Build([route], routePrefix, new HttpFunctionRoutes.Unused());
            return null;
        }
        catch (Exception exception) when (exception is RouteCreationException or ArgumentException or InvalidOperationException)
        {
            var reason = exception.InnerException?.Message ?? exception.Message;
            return $"The route '{route.Template}' is not a route template the host can build ('{HttpFunctionRoutes.Template(routePrefix, route.Template)}'): {reason}";
        }
    }

    /// <summary>
    /// A function the host never runs for some method: for each request its own route matches, a function named
    /// before it takes the request first (the host's router takes the first match, in name order). The requests
    /// tried fill every route parameter with "7" and then with "sample1"; a function is refused only when every
    /// one its route matches went to another function.
    /// </summary>
    private static IEnumerable<FunctionProblem> Unreachable(IReadOnlyList<HttpRoute> routes, string routePrefix)
    {
        var router = HttpFunctionRoutes.Build(routes, routePrefix, new HttpFunctionRoutes.Unused());
        foreach (var route in routes)
        {
            var own = HttpFunctionRoutes.Build([route], routePrefix, new HttpFunctionRoutes.Unused());
            foreach (var method in route.Methods?.Select(m => m.ToUpperInvariant()) ?? AnyMethod)
            {
                var takers = SampleRequestPaths(HttpFunctionRoutes.Template(routePrefix, route.Template))
                    .Where(path => HttpFunctionRoutes.FunctionFor(own, method, path) is not null)
                    .Select(path => HttpFunctionRoutes.FunctionFor(router, method, path))
                    .ToList();
                if (takers.Count > 0 && takers.All(taker => taker != route.Function))
                {
                    var taker = routes.First(r => r.Function == takers[0]);
                    yield return new FunctionProblem(route.Function,
                        $"Azure never runs it for {method} at '{route.Template}': function '{taker.Function}' (route '{taker.Template}') comes before it in name order and its route matches first. Rename one or change a route.");
                    break;
                }
            }
        }
    }

    /// <summary>The request paths a route template matches with each parameter filled in the same way.</summary>
    private static IEnumerable<string> SampleRequestPaths(string template)
    {
        var pattern = RoutePatternFactory.Parse(template);
        return SampleValues.Select(value => "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            RoutePatternParameterPart { IsCatchAll: true } => value + "/" + value,
            RoutePatternParameterPart => value,
            _ => string.Empty,
        })))));
    }

    /// <summary>src/WebJobs.Script/Host/ScriptHost.cs, ValidateHttpFunction: a route left out (or blank) is the function's name.</summary>
    public static string DefaultRoute(string functionName, string? route) => string.IsNullOrWhiteSpace(route) ? functionName : route;

    /// <summary>
    /// No methods means every method, which meets any other list; otherwise the lists must share one. The
    /// host compares the strings as written (ordinal), and so does this.
    /// </summary>
    private static bool MethodsIntersect(IReadOnlyList<string>? methods, IReadOnlyList<string>? others) =>
        methods is not { Count: > 0 } || others is not { Count: > 0 } || methods.Intersect(others, StringComparer.Ordinal).Any();

    /// <summary>The methods a function without methods is tried with (it allows any).</summary>
    private static readonly string[] AnyMethod = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"];

    private static readonly string[] SampleValues = ["7", "sample1"];

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
