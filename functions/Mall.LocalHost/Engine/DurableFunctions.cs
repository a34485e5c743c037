using Azure.Core.Serialization;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Worker;

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
    public static void AddDurableFunctions(this IServiceCollection services, IReadOnlyList<FunctionDefinition> functions, Func<IServiceProvider> rootServices, DurableTaskHub hub, int sidecarPort)
    {
        // As the isolated Durable extension does (Worker.Extensions.DurableTask, DurableTaskExtensionStartup.GetConverter):
        // inputs, outputs and events go through the worker's serializer, whatever converter was configured.
        services.AddOptions<DurableTaskWorkerOptions>().PostConfigure<IServiceProvider>((options, provider) => options.DataConverter = new WorkerSerializerConverter(WorkerSerializer.For(provider)));
        services.AddOptions<DurableTaskClientOptions>().PostConfigure<IServiceProvider>((options, provider) => options.DataConverter = new WorkerSerializerConverter(WorkerSerializer.For(provider)));
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
    }

    /// <summary>The extension's ObjectConverterShim: a DataConverter over the worker's ObjectSerializer.</summary>
    private sealed class WorkerSerializerConverter(ObjectSerializer serializer) : DataConverter
    {
        public override string? Serialize(object? value) => value is null ? null : serializer.Serialize(value, value.GetType(), CancellationToken.None).ToString();

        public override object? Deserialize(string? data, Type targetType) =>
            data is null ? null : serializer.Deserialize(BinaryData.FromString(data).ToStream(), targetType, CancellationToken.None);
    }

    private sealed class FunctionOrchestrator(FunctionDefinition function, IServiceProvider services) : ITaskOrchestrator
    {
        public Type InputType => function.InputType;

        public Type OutputType => function.ResultType == typeof(void) ? typeof(object) : function.ResultType;

        public Task<object?> RunAsync(TaskOrchestrationContext context, object? input) =>
            FunctionInvoker.InvokeWithoutTimeoutAsync(function, services, binding => binding.Source switch
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
            return await FunctionInvoker.InvokeAsync(
                function,
                scope.ServiceProvider,
                binding => binding.Source switch
                {
                    ParameterSource.ActivityInput => input,
                    ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
                    _ => throw new InvalidOperationException($"{binding.Source} is not an activity binding."),
                },
                CancellationToken.None);
        }
    }
}
