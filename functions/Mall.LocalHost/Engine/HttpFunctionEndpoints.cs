using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Maps every HTTP-triggered function to an ASP.NET Core endpoint at <c>/{routePrefix}/{route}</c>, with
/// the metadata's methods; ASP.NET's route precedence matches the Functions host's (literal segments
/// before parameters before catch-alls). A function whose authLevel is not Anonymous answers 401 without
/// the master key, as Azure does without a key.
/// </summary>
public static partial class HttpFunctionEndpoints
{
    private static readonly string[] AnyMethod = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

    public static void MapHttpFunctions(this IEndpointRouteBuilder endpoints, IEnumerable<FunctionDefinition> functions, string routePrefix)
    {
        foreach (var function in functions.Where(f => f.Trigger == TriggerKind.Http))
        {
            var pattern = "/" + string.Join('/', new[] { routePrefix.Trim('/'), function.Route!.Trim('/') }.Where(s => s.Length > 0));
            var methods = function.HttpMethods.Count == 0 ? AnyMethod : function.HttpMethods;
            endpoints.MapMethods(pattern, methods, context => InvokeAsync(function, context)).WithDisplayName(function.Name);
        }
    }

    private static async Task InvokeAsync(FunctionDefinition function, HttpContext context)
    {
        var services = context.RequestServices;
        if (function.AuthLevel != AuthorizationLevel.Anonymous && !services.GetRequiredService<MasterKey>().IsPresentedBy(context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        IActionResult? result;
        try
        {
            result = (IActionResult?)await FunctionInvoker.InvokeAsync(function, services, binding => binding.Source switch
            {
                ParameterSource.HttpRequest => context.Request,
                ParameterSource.RouteValue => ConvertRouteValue(context.GetRouteValue(binding.Name), binding.Type),
                ParameterSource.CancellationToken => context.RequestAborted,
                ParameterSource.DurableClient => services.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"{binding.Source} is not an HTTP binding."),
            });
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The Functions host answers an unhandled exception with a bare 500; so does this host.
            LogFailure(services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name), exception, function.Name);
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return;
        }

        if (result is null)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

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
}
