using System.Text.Json;
using Mall.LocalHost.Engine;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Mall.LocalHost.Tests;

/// <summary>The Azure host's start-up checks (see <see cref="HostRules"/>), on hand-written metadata and on the mall's build.</summary>
public sealed class HostRulesTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { Metadata(Http("Orders_List", "orders", "get"), Timer("Orders_Expire"), Queue("Events_Dispatch"), Http("Orders_Create", "Orders/", "post"), Http("Orders_Get", "orders/{orderId:int}", "get")), "" },
        // Overlapping routes are fine while each function still gets some of its requests.
        { Metadata(Http("A_Fallback", "{*path}", "post"), Http("B_Orders", "orders", "get"), Http("C_Order", "orders/{id}", "get"), Http("D_Recent", "orders/recent/{*rest}", "get")), "" },
        { Metadata(Http("Orders_Create", "/Orders/", "post")), "Orders_Create: The route '/Orders/' is not a route template the host can build ('api//Orders/'): The route template separator character '/' cannot appear consecutively." },
        { Metadata(Http("Things", "things/{id:nosuch}")), "Things: The route 'things/{id:nosuch}' is not a route template the host can build ('api/things/{id:nosuch}'): The constraint entry 'id' - 'nosuch' on the route 'api/things/{id:nosuch}' could not be resolved" },
        { Metadata(Http("A_CatchAll", "{*path}", "get", "post"), Http("Presales_Create", "presales", "post")), "Presales_Create: Azure never runs it for POST at 'presales': function 'A_CatchAll' (route '{*path}') comes before it in name order and its route matches first. Rename one or change a route." },
        { Metadata(Http("Orders_Get", "orders/{id}", "get"), Http("Orders_Recent", "orders/recent", "get", "delete")), "Orders_Recent: Azure never runs it for GET at 'orders/recent': function 'Orders_Get' (route 'orders/{id}') comes before it in name order and its route matches first. Rename one or change a route." },
        { Metadata(Http("a_any", "items/{*rest}"), Http("B_Item", "items/{id:int}", "put")), "B_Item: Azure never runs it for PUT at 'items/{id:int}': function 'a_any' (route 'items/{*rest}') comes before it in name order and its route matches first. Rename one or change a route." },
        { Metadata(Http("Stats", "admin/stats")), "Stats: The specified route conflicts with one or more built in routes." },
        { Metadata(Http("Stats", "/Runtime/status")), "Stats: The specified route conflicts with one or more built in routes." },
        { Metadata(Http("Stats", "administration/x")), "Stats: The specified route conflicts with one or more built in routes." },
        { Metadata(Http("Admin_Stats", route: null)), "Admin_Stats: The specified route conflicts with one or more built in routes." },
        { Metadata(Http("A", "orders", "get", "post"), Http("B", "/ORDERS/", "post")), "B: The route specified conflicts with the route defined by function 'A'." },
        { Metadata(Http("A", "orders", "get"), Http("B", "orders")), "B: The route specified conflicts with the route defined by function 'A'." },
        { Metadata(Http("1st", "first")), "1st: '1st' is not a valid function name." },
        { Metadata(Http("host", "h")), "host: 'host' is not a valid function name." },
        { Metadata(Http("Orders.List", "o")), "Orders.List: 'Orders.List' is not a valid function name." },
        { Metadata(Http("a" + new string('b', 128), "long")), $"a{new string('b', 128)}: 'a{new string('b', 128)}' is not a valid function name." },
        { Metadata(Timer("Twice"), Timer("twice")), "twice: The function or proxy name 'twice' must be unique within the function app." },
        { Metadata(Function("Blob", Binding("blob", "blobTrigger"))), $"Blob: The binding type(s) 'blobTrigger' are not registered in the local host (it runs {string.Join(", ", HostRules.RegisteredBindingTypes)})." },
        { Metadata(Function("NoTrigger", Binding("client", "durableClient"))), "NoTrigger: No trigger binding specified. A function must have a trigger input binding." },
        { Metadata(Function("TwoTriggers", Binding("timer", "timerTrigger"), Binding("message", "queueTrigger"))), "TwoTriggers: Multiple trigger bindings defined. A function can only have a single trigger binding." },
        { Metadata(Function("SameName", Binding("timer", "timerTrigger"), Binding("Timer", "durableClient"))), "SameName: Multiple bindings with name 'Timer' discovered. Binding names must be unique." },
        { Metadata(Function("BadBinding", Binding("my-timer", "timerTrigger"))), "BadBinding: The binding name my-timer is invalid. Please assign a valid name to the binding." },
        { Metadata(Function("ReturnIn", Binding("timer", "timerTrigger"), Binding("$return", "http", "In"))), "ReturnIn: $return bindings must specify a direction of 'out'." },
        { Metadata(Function("Sideways", Binding("timer", "timerTrigger", "Sideways"))), "Sideways: 'Sideways' is not a valid binding direction." },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_rule_of_the_host_refuses_its_bad_example_and_a_good_app_passes(string metadata, string problem)
    {
        var problems = HostRules.Check(FunctionMetadata.Parse(metadata, "test"), "api").Select(p => p.ToString()).ToList();

        if (problem.Length == 0)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.StartsWith(problem, Assert.Single(problems), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_mall_build_passes_the_host_rules()
    {
        var metadata = FunctionMetadata.ReadFrom(FunctionApps.Mall);

        Assert.Contains(metadata, f => f.Name == "Orders_Create");
        Assert.Empty(HostRules.Check(metadata, "api"));
    }

    /// <summary>
    /// Through the host's own router (see <see cref="HttpFunctionRoutes"/>), a request each HTTP function's route
    /// matches reaches that function. (A catch-all such as the former Platform_NotFound, {*path}, sorted before
    /// Presale_* and Promotions_*, took their requests in Azure.)
    /// </summary>
    [Fact]
    public void Every_mall_http_function_is_reached_at_its_own_route()
    {
        var http = FunctionMetadata.ReadFrom(FunctionApps.Mall).Where(f => f.Trigger.IsOfType("httpTrigger")).Select(HostRules.RouteOf).ToList();
        var router = HttpFunctionRoutes.Build(http, "api", new HttpFunctionRoutes.Unused());

        var misrouted = http.Select(route => (route, request: SampleRequest(route)))
            .Select(r => (r.route, r.request, chosen: HttpFunctionRoutes.FunctionFor(router, r.request.Method, r.request.Path)))
            .Where(r => r.chosen != r.route.Function)
            .Select(r => $"{r.request.Method} {r.request.Path}: Azure runs {r.chosen ?? "nothing (404)"}, not {r.route.Function}");

        Assert.Empty(misrouted);
    }

    /// <summary>The host's router: a function without methods allows any method, custom ones too; "methods": [] allows none; an empty segment matches no route.</summary>
    [Theory]
    [InlineData("TRACE", "/api/any", "AnyMethod")]
    [InlineData("PURGE", "/api/any", "AnyMethod")]
    [InlineData("GET", "/api/none", null)]
    [InlineData("HEAD", "/api/orders", null)]
    [InlineData("get", "/API/ORDERS/", "Orders")]
    [InlineData("GET", "/api//orders", null)]
    public void The_host_router_chooses_by_route_and_methods(string method, string path, string? function)
    {
        var metadata = FunctionMetadata.Parse(Metadata(Http("AnyMethod", "any"), HttpAllowing("None", "none", []), Http("Orders", "orders", "get")), "test");
        var router = HttpFunctionRoutes.Build(metadata.Select(HostRules.RouteOf), "api", new HttpFunctionRoutes.Unused());

        Assert.Equal(function, HttpFunctionRoutes.FunctionFor(router, method, path));
    }

    private static (string Method, string Path) SampleRequest(HttpRoute route)
    {
        var segments = RoutePatternFactory.Parse(route.Template).PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart { IsCatchAll: true } => "no/such/endpoint",
            RoutePatternParameterPart parameter when parameter.ParameterPolicies.Any(p => p.Content == "int") => "7",
            RoutePatternParameterPart => "sample1",
            _ => string.Empty,
        })));
        return (route.Methods is { Count: > 0 } methods ? methods[0].ToUpperInvariant() : "GET", "/api/" + string.Join('/', segments));
    }

    private static string Metadata(params object[] functions) => JsonSerializer.Serialize(functions);

    /// <param name="methods">None: the metadata lists no methods (any method).</param>
    private static object Http(string name, string? route, params string[] methods) => Function(
        name,
        new { name = "request", direction = "In", type = "httpTrigger", authLevel = "Anonymous", methods = methods.Length == 0 ? null : methods, route },
        Binding("$return", "http", "Out"));

    private static object HttpAllowing(string name, string route, string[] methods) => Function(
        name,
        new { name = "request", direction = "In", type = "httpTrigger", authLevel = "Anonymous", methods, route },
        Binding("$return", "http", "Out"));

    private static object Timer(string name) => Function(name, new { name = "timer", direction = "In", type = "timerTrigger", schedule = "0 * * * * *" });

    private static object Queue(string name) => Function(name, new { name = "message", direction = "In", type = "queueTrigger", queueName = "events" }, Binding("client", "durableClient"));

    private static object Binding(string name, string type, string direction = "In") => new { name, direction, type };

    private static object Function(string name, params object[] bindings) => new { name, scriptFile = "App.dll", entryPoint = $"App.Functions.{name}", bindings };
}
