using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Registers orchestrator and activity functions on the durable engine (<see cref="DurableTaskEngine"/>)
/// under their function names, so <c>[DurableClient]</c> callers start them exactly as they would in Azure.
/// </summary>
public static class DurableFunctions
{
    public static bool AreUsedBy(IReadOnlyList<FunctionDefinition> functions) =>
        functions.Any(f => f.Trigger is TriggerKind.Orchestration or TriggerKind.Activity
            || f.Parameters.Any(p => p.Source == ParameterSource.DurableClient));

    /// <param name="rootServices">The host's services once built (orchestrator factories take no provider).</param>
    public static void AddDurableFunctions(this IServiceCollection services, IReadOnlyList<FunctionDefinition> functions, Func<IServiceProvider> rootServices, DurableTaskHub hub, int sidecarPort) =>
        services.AddDurableTaskEngine(hub, sidecarPort, registry =>
        {
            foreach (var function in functions.Where(f => f.Trigger == TriggerKind.Orchestration))
            {
                registry.AddOrchestrator(function.Name, () => new FunctionOrchestrator(function, rootServices()));
            }

            foreach (var function in functions.Where(f => f.Trigger == TriggerKind.Activity))
            {
                registry.AddActivity(function.Name, provider => new FunctionActivity(function, provider));
            }
        });

    private sealed class FunctionOrchestrator(FunctionDefinition function, IServiceProvider services) : ITaskOrchestrator
    {
        public Type InputType => function.InputType;

        public Type OutputType => function.ResultType == typeof(void) ? typeof(object) : function.ResultType;

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
            FunctionInvoker.InvokeAsync(function, services, binding => binding.Source switch
            {
                ParameterSource.OrchestrationContext => context,
                ParameterSource.OrchestrationInput => input,
                _ => throw new InvalidOperationException($"{binding.Source} is not an orchestration binding."),
            });
    }

    private sealed class FunctionActivity(FunctionDefinition function, IServiceProvider services) : ITaskActivity
    {
        public Type InputType => function.InputType;

        public Type OutputType => function.ResultType == typeof(void) ? typeof(object) : function.ResultType;

        public async Task<object?> RunAsync(TaskActivityContext context, object? input)
        {
            await using var scope = services.CreateAsyncScope();
            return await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, binding => binding.Source switch
            {
                ParameterSource.ActivityInput => input,
                ParameterSource.CancellationToken => CancellationToken.None,
                ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                _ => throw new InvalidOperationException($"{binding.Source} is not an activity binding."),
            });
        }
    }
}
