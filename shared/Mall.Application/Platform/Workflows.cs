namespace Mall.Application.Platform;

/// <summary>
/// Starts and signals the long-running business processes (Durable Functions orchestrations).
/// Instance ids are the business object's id, so starting twice never runs twice. In the isolated
/// worker only a function that binds [DurableClient] has one: event handlers get it through their
/// <see cref="EventContext"/>, from the dispatching function.
/// </summary>
public interface IWorkflowClient
{
    /// <summary>Starts <paramref name="orchestration"/> as <paramref name="instanceId"/> unless that instance already exists (in any state).</summary>
    /// <returns>True when this call started it.</returns>
    Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken);

    /// <summary>Delivers an external event; the orchestration must tolerate duplicates.</summary>
    Task RaiseEventAsync(string instanceId, string eventName, object payload, CancellationToken cancellationToken);
}
