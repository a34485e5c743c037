using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>Publishes integration events to downstream systems (Service Bus topic, or a storage queue locally).</summary>
public interface IEventBus
{
    Task PublishAsync(IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken);
}

/// <summary>
/// An in-mall reaction to an integration event (e.g. rebuild a catalog listing when a product changes).
/// Runs from the outbox relay, at least once per event: it must be idempotent.
/// </summary>
public interface IIntegrationEventHandler
{
    bool CanHandle(string eventType);

    Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken);
}
