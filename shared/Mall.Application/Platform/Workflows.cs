namespace Mall.Application.Platform;

/// <summary>
/// Starts and signals the long-running business processes (Durable Functions orchestrations).
/// Instance ids are the business object's id, so starting twice never runs twice.
/// </summary>
public interface IWorkflowClient
{
    /// <summary>Starts <paramref name="orchestration"/> as <paramref name="instanceId"/> unless that instance already exists (in any state).</summary>
    /// <returns>True when this call started it.</returns>
    Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken);

    /// <summary>Delivers an external event; the orchestration must tolerate duplicates.</summary>
    Task RaiseEventAsync(string instanceId, string eventName, object payload, CancellationToken cancellationToken);
}

/// <summary>
/// No durable client is reachable in this invocation (in Azure only functions with a [DurableClient]
/// binding have one). Event handlers that throw it leave their event in the outbox, and the relay
/// timer, which has a client, delivers it.
/// </summary>
public sealed class WorkflowClientUnavailableException() : InvalidOperationException("No durable client in this function invocation; the outbox relay timer will deliver the signal.");
