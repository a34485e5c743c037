using Mall.Application.Platform;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace Mall.Infrastructure.Workflows;

/// <summary>
/// <see cref="IWorkflowClient"/> on Durable Functions, over the client a function received from its
/// [DurableClient] binding (in the isolated worker, the only way to get one).
/// </summary>
public sealed class DurableWorkflowClient(DurableTaskClient client) : IWorkflowClient
{
    public async Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken)
    {
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
        client.RaiseEventAsync(instanceId, eventName, payload, cancellationToken);
}
