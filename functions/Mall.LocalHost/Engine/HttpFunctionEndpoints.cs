using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Serves HTTP-triggered functions at <c>/{routePrefix}/{route}</c> through the host's own router (see
/// <see cref="HttpFunctionRoutes"/>): the first function in name order whose route and methods match runs; a request
/// none matches gets the host's empty 404. A function whose authLevel is not Anonymous answers 401 without the master
/// key, as Azure does without a key; a disabled one answers 404 unless the master key is presented.
/// </summary>
public static partial class HttpFunctionEndpoints
{
    /// <summary>After the admin API's endpoints, as the host registers its own routes before the functions' (WebJobsApplicationBuilderExtension).</summary>
    public static IApplicationBuilder UseHttpFunctions(this IApplicationBuilder app, IReadOnlyList<FunctionDefinition> functions, string routePrefix)
    {
        var http = functions.Where(f => f.Trigger == TriggerKind.Http).ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        return app.UseRouter(HttpFunctionRoutes.Build(http.Values.Select(f => new HttpRoute(f.Name, f.Route!, f.HttpMethods)), routePrefix, new Handler(http)));
    }

    /// <summary>
    /// The host's ExceptionMiddleware (src/WebJobs.Script.WebHost/Middleware/ExceptionMiddleware.cs): whatever fails
    /// in the pipeline is a bare 500 (never the developer exception page's stack trace); once the response has
    /// started there is nothing to answer, and the connection is aborted.
    /// </summary>
    public static IApplicationBuilder UseBare500OnFailure(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            LogPipelineFailure(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpFunctionEndpoints)), exception, context.Request.Path);
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        }
    });

    private sealed class Handler(IReadOnlyDictionary<string, FunctionDefinition> functions) : Microsoft.Azure.WebJobs.Extensions.Http.IWebJobsRouteHandler
    {
        public Task InvokeAsync(HttpContext context, string functionName) => HttpFunctionEndpoints.InvokeAsync(functions[functionName], context);
    }

    private static async Task InvokeAsync(FunctionDefinition function, HttpContext context)
    {
        var services = context.RequestServices;
        var masterKey = services.GetRequiredService<MasterKey>();
        if (function.AuthLevel != AuthorizationLevel.Anonymous && !masterKey.IsPresentedBy(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        // src/WebJobs.Script.WebHost/Middleware/FunctionInvocationMiddleware.cs, GetResultAsync: a disabled function is
        // not found, unless the caller has admin credentials.
        if (function.Disabled && !masterKey.IsPresentedBy(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name);
        IActionResult? result;
        try
        {
            result = (IActionResult?)await FunctionInvoker.InvokeAsync(function, services, binding => binding.Source switch
            {
                ParameterSource.HttpRequest => context.Request,
                ParameterSource.RouteValue => ConvertRouteValue(context.GetRouteValue(binding.Name), binding.Type),
                ParameterSource.DurableClient => services.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"{binding.Source} is not an HTTP binding."),
            }, context.RequestAborted);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The Functions host answers an unhandled exception with a bare 500; so does this host.
            LogFailure(logger, exception, function.Name);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        if (result is null)
        {
            // The worker's FunctionsHttpProxyingMiddleware (Worker.Extensions.Http.AspNetCore) handles no result: the
            // response goes out as ASP.NET Core left it, 200 and empty.
            LogNoHttpResponseReturned(logger, function.Name);
            return;
        }

        // Outside the try above, as in the host (FunctionInvocationMiddleware executes the result): a result that
        // fails while it is written reaches UseBare500OnFailure.
        await result.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
    }

    private static object? ConvertRouteValue(object? value, Type type)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        if (value is null)
        {
            return type.IsValueType && Nullable.GetUnderlyingType(type) is null ? Activator.CreateInstance(type) : null;
        }

        var text = Convert.ToString(value, CultureInfo.InvariantCulture)!;
        return target == typeof(string) ? text
            : target.IsEnum ? Enum.Parse(target, text, ignoreCase: true)
            : target == typeof(Guid) ? Guid.Parse(text)
            : Convert.ChangeType(text, target, CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogFailure(ILogger logger, Exception exception, string function);

    /// <summary>The worker's own message (ExtensionTrace.NoHttpResponseReturned).</summary>
    [LoggerMessage(Level = LogLevel.Trace, Message = "No HTTP response returned from function '{Function}'.")]
    private static partial void LogNoHttpResponseReturned(ILogger logger, string function);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Path} failed in the host")]
    private static partial void LogPipelineFailure(ILogger logger, Exception exception, string path);
}
