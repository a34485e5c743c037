using System.Reflection;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Calls a function method the way the worker does: a new instance of its class per invocation,
/// constructor dependencies from the invocation's service scope, the result awaited and unwrapped; and,
/// as the host does, within host.json's functionTimeout (see <see cref="FunctionTimeout"/>).
/// </summary>
public static partial class FunctionInvoker
{
    /// <param name="cancellationToken">Cancelled when the trigger gives up (the host stops, the caller hangs up); the function's CancellationToken also cancels at the timeout.</param>
    /// <param name="argumentFor">The trigger's arguments; CancellationToken parameters get the invocation's token.</param>
    /// <exception cref="FunctionTimeoutException">The function ran past the timeout.</exception>
    public static async Task<object?> InvokeAsync(FunctionDefinition function, IServiceProvider services, Func<ParameterBinding, object?> argumentFor, CancellationToken cancellationToken)
    {
        // Orchestrators have none: they replay, and the Durable Task SDK's spans stand for their executions.
        using var span = WorkerInvocationSpan.Start();
        var timeout = services.GetService<FunctionTimeout>()?.Limit;
        var invocation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var run = InvokeWithoutTimeoutAsync(function, services, binding => binding.Source == ParameterSource.CancellationToken ? invocation.Token : argumentFor(binding));
        if (timeout is null)
        {
            using (invocation)
            {
                return await run;
            }
        }

        // The host's clock, not the app's TimeProvider: a test moving the app's time must not time out what runs.
        using var expiry = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var expired = LongDelay.WaitAsync(timeout.Value, TimeProvider.System, expiry.Token);
        if (await Task.WhenAny(run, expired) == run)
        {
            await expiry.CancelAsync();
            invocation.Dispose();
            return await run;
        }

        // azure-webjobs-sdk src/Microsoft.Azure.WebJobs.Host/Executors/FunctionExecutor.cs, TryHandleTimeoutAsync: the
        // function's token is cancelled and the invocation fails at once, whether or not the function stops.
        LogTimeout(services.GetRequiredService<ILoggerFactory>().CreateLogger("Function." + function.Name), timeout.Value, function.Name);
        await invocation.CancelAsync();
        _ = run.ContinueWith(_ => invocation.Dispose(), TaskScheduler.Default);
        throw new FunctionTimeoutException($"Timeout value of {timeout.Value} was exceeded by function: {function.Name}");
    }

    /// <summary>For orchestrators: they replay in moments, take no token and must not wait on timers of their own.</summary>
    public static async Task<object?> InvokeWithoutTimeoutAsync(FunctionDefinition function, IServiceProvider services, Func<ParameterBinding, object?> argumentFor)
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

    /// <summary>The host's own message (FunctionExecutor, OnFunctionTimeout).</summary>
    [LoggerMessage(Level = LogLevel.Error, Message = "Timeout value of {Timeout} exceeded by function '{Function}'. Initiating cancellation.")]
    private static partial void LogTimeout(ILogger logger, TimeSpan timeout, string function);
}
