using System.Collections.Concurrent;
using Mall.Application.Platform;

namespace Mall.Testing;

/// <summary>Stands in for the durable engine where a test needs none: orchestrations are started and signalled, and recorded.</summary>
public sealed class RecordingWorkflows : IWorkflowClient
{
    public ConcurrentQueue<string> Calls { get; } = new();

    public Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"start {orchestration} {instanceId}");
        return Task.FromResult(true);
    }

    public Task RaiseEventAsync(string instanceId, string eventName, object payload, CancellationToken cancellationToken)
    {
        Calls.Enqueue($"raise {eventName} {instanceId}");
        return Task.CompletedTask;
    }
}
