using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.Azure.WebJobs.Extensions.Http;

namespace Mall.LocalHost.Engine;

/// <summary>An HTTP function's route as the host maps it: the route (the function's name when the metadata has none) and its methods (null: any).</summary>
public sealed record HttpRoute(string Function, string Template, IReadOnlyList<string>? Methods);

/// <summary>
/// The Functions host's HTTP routing, with its own route builder (Microsoft.Azure.WebJobs.Extensions.Http,
/// WebJobsRouteBuilder), as azure-functions-host src/WebJobs.Script.WebHost/WebScriptHostHttpRoutesManager.cs,
/// InitializeHttpFunctionRoutes builds it: one Route per function, its template routePrefix + "/" + route, an
/// HttpMethodRouteConstraint when the metadata lists methods (so a method no route allows matches nothing: 404,
/// and no methods at all allows any), in the order of the host's functions — src/WebJobs.Script/Host/
/// FunctionMetadataManager.cs, GetFunctionMetadata: by name, OrdinalIgnoreCase — in a RouteCollection, where the
/// first route that matches wins. There is no route precedence (azure-functions-host#9876).
/// </summary>
public static class HttpFunctionRoutes
{
    /// <summary>Routing's own services: the inline constraint resolver, and the loggers routes want while matching.</summary>
    public static IServiceProvider RoutingServices { get; } = new ServiceCollection().AddLogging().AddRouting().BuildServiceProvider();

    /// <exception cref="ArgumentException">A template the host's Route cannot parse, or an inline constraint it cannot resolve (the Route constructor throws; the host does not start).</exception>
    public static IRouter Build(IEnumerable<HttpRoute> routes, string routePrefix, IWebJobsRouteHandler handler)
    {
        var builder = new WebJobsRouteBuilder(RoutingServices.GetRequiredService<IInlineConstraintResolver>(), handler, routePrefix);
        foreach (var route in routes.OrderBy(r => r.Function, StringComparer.OrdinalIgnoreCase))
        {
            var constraints = new RouteValueDictionary();
            if (route.Methods is not null)
            {
                constraints.Add("httpMethod", new HttpMethodRouteConstraint([.. route.Methods]));
            }

            builder.MapFunctionRoute(route.Function, route.Template, constraints, route.Function);
        }

        return builder.Build();
    }

    /// <summary>The template a route gets, concatenated as WebJobsRouteBuilder.BuildRouteTemplate does.</summary>
    public static string Template(string routePrefix, string route) => string.IsNullOrEmpty(routePrefix) ? route : routePrefix + "/" + route;

    /// <returns>The function the routes give the request to, or null (the host answers 404).</returns>
    public static string? FunctionFor(IRouter router, string method, string path)
    {
        var http = new DefaultHttpContext { RequestServices = RoutingServices };
        http.Request.Method = method;
        http.Request.Path = path;
        var context = new RouteContext(http);
        // Route and RouteCollection match synchronously; only handlers are asynchronous, and none runs here.
        router.RouteAsync(context).GetAwaiter().GetResult();
        return context.Handler is null ? null : FunctionOf(context.RouteData);
    }

    /// <summary>The function whose route matched (WebJobsRouteBuilder.MapFunctionRoute puts its name in the route's data tokens).</summary>
    public static string? FunctionOf(RouteData routeData) => routeData.DataTokens[HttpExtensionConstants.FunctionNameRouteTokenKey] as string;

    /// <summary>A route handler for routers that are only asked which function they choose.</summary>
    public sealed class Unused : IWebJobsRouteHandler
    {
        public Task InvokeAsync(HttpContext context, string functionName) => throw new InvalidOperationException("This router only chooses functions.");
    }
}
