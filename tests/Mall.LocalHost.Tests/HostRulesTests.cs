using System.Text.Json;
using Mall.LocalHost.Engine;

namespace Mall.LocalHost.Tests;

/// <summary>The Azure host's start-up checks (see <see cref="HostRules"/>), on hand-written metadata and on the mall's build.</summary>
public sealed class HostRulesTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { Metadata(Http("Orders_List", "orders", "get"), Timer("Orders_Expire"), Queue("Events_Dispatch"), Http("Orders_Create", "/Orders/", "post")), "" },
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
        var problems = HostRules.Check(FunctionMetadata.Parse(metadata, "test")).Select(p => p.ToString()).ToList();

        if (problem.Length == 0)
        {
            Assert.Empty(problems);
        }
        else
        {
            Assert.Equal(problem, Assert.Single(problems));
        }
    }

    [Fact]
    public void The_mall_build_passes_the_host_rules()
    {
        var metadata = FunctionMetadata.ReadFrom(FunctionApps.Mall);

        Assert.Contains(metadata, f => f.Name == "Orders_Create");
        Assert.Empty(HostRules.Check(metadata));
    }

    private static string Metadata(params object[] functions) => JsonSerializer.Serialize(functions);

    private static object Http(string name, string? route, params string[] methods) => Function(
        name,
        new { name = "request", direction = "In", type = "httpTrigger", authLevel = "Anonymous", methods, route },
        Binding("$return", "http", "Out"));

    private static object Timer(string name) => Function(name, new { name = "timer", direction = "In", type = "timerTrigger", schedule = "0 * * * * *" });

    private static object Queue(string name) => Function(name, new { name = "message", direction = "In", type = "queueTrigger", queueName = "events" }, Binding("client", "durableClient"));

    private static object Binding(string name, string type, string direction = "In") => new { name, direction, type };

    private static object Function(string name, params object[] bindings) => new { name, scriptFile = "App.dll", entryPoint = $"App.Functions.{name}", bindings };
}
