using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>Publishes an integration event to downstream systems (the Service Bus topic, or a storage queue locally).</summary>
public interface IEventBus
{
    Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken);
}

/// <summary>
/// An in-mall reaction to one type of integration event. The dispatcher runs it after the write that
/// raised the event committed, at most once to completion per event id (a durable marker per event
/// and handler), so a handler never sees a delivery it already finished. It still must tolerate a
/// repeat of an attempt that crashed before its marker was written.
/// </summary>
public interface IEventHandler<in TEvent>
    where TEvent : IntegrationEvent
{
    Task HandleAsync(TEvent integrationEvent, EventContext context, CancellationToken cancellationToken);
}

/// <summary>What the dispatching function hands every handler besides its own dependencies.</summary>
/// <param name="Workflows">The durable client of the function that dispatches (only functions that bind one have it).</param>
public sealed record EventContext(IWorkflowClient Workflows);
