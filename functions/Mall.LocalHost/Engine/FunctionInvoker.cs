using System.Reflection;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Calls a function method the way the worker does: a new instance of its class per invocation,
/// constructor dependencies from the invocation's service scope, the result awaited and unwrapped.
/// </summary>
public static class FunctionInvoker
{
    public static async Task<object?> InvokeAsync(FunctionDefinition function, IServiceProvider services, Func<ParameterBinding, object?> argumentFor)
    {
        var instance = function.Method.IsStatic ? null : ActivatorUtilities.CreateInstance(services, function.Method.DeclaringType!);
        try
        {
            var arguments = function.Parameters.Select(argumentFor).ToArray();
            var returned = function.Method.Invoke(instance, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null);
            return await UnwrapAsync(returned, function.ResultType);
        }
        finally
        {
            switch (instance)
            {
                case IAsyncDisposable asyncDisposable:
                    await asyncDisposable.DisposeAsync();
                    break;
                case IDisposable disposable:
                    disposable.Dispose();
                    break;
            }
        }
    }

    private static async Task<object?> UnwrapAsync(object? returned, Type resultType)
    {
        var task = returned switch
        {
            Task t => t,
            ValueTask v => v.AsTask(),
            _ when returned?.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ValueTask<>) =>
                (Task)type.GetMethod(nameof(ValueTask<int>.AsTask))!.Invoke(returned, null)!,
            _ => null,
        };
        if (task is null)
        {
            return returned;
        }

        await task;
        return resultType == typeof(void) ? null : task.GetType().GetProperty(nameof(Task<int>.Result))!.GetValue(task);
    }
}
