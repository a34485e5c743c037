using Mall.Application.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Workflows;

/// <summary>
/// The durable client of the current function invocation. The isolated worker hands a
/// DurableTaskClient only to functions that bind [DurableClient]; they put it here for the duration of
/// the invocation so services and event handlers deeper down can signal orchestrations.
/// </summary>
public static class DurableClientScope
{
    private static readonly AsyncLocal<DurableTaskClient?> Current = new();

    public static DurableTaskClient? Client => Current.Value;

    public static IDisposable Use(DurableTaskClient client)
    {
        var previous = Current.Value;
        Current.Value = client;
        return new Restore(previous);
    }

    private sealed class Restore(DurableTaskClient? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}

/// <summary>
/// <see cref="IWorkflowClient"/> on Durable Functions: the invocation's client, or one registered in
/// the container (the local host and tests register the in-process engine's).
/// </summary>
public sealed class DurableWorkflowClient(IServiceProvider services) : IWorkflowClient
{
    public async Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken)
    {
        var client = Client();
        // Scheduling an id that exists would restart a finished instance: look first, and treat losing
        // a race to start it as "already started".
        if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken) is not null)
        {
            return false;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(orchestration, input, new StartOrchestrationOptions(instanceId), cancellationToken);
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            if (await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, CancellationToken.None) is not null)
            {
                return false;
            }

            throw;
        }
    }

    public Task RaiseEventAsync(string instanceId, string eventName, object payload, CancellationToken cancellationToken) =>
        Client().RaiseEventAsync(instanceId, eventName, payload, cancellationToken);

    private DurableTaskClient Client() =>
        DurableClientScope.Client ?? services.GetService<DurableTaskClient>() ?? throw new WorkflowClientUnavailableException();
}
