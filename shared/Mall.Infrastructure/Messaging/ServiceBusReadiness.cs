using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// The event bus downstream systems read. Without Messaging:ServiceBusNamespace the outbox relays to a storage
/// queue instead: expected on a developer's machine (not required there), a misconfiguration anywhere else.
/// </summary>
/// <param name="serviceBus">The bus when Service Bus is configured.</param>
public sealed class ServiceBusReadiness(MessagingOptions options, ServiceBusEventBus? serviceBus, bool required) : IReadinessCheck
{
    public string Name => "serviceBus";

    public bool Required => required;

    public async Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
    {
        if (serviceBus is null)
        {
            return new DependencyCheck(DependencyStatus.NotConfigured, $"Messaging:ServiceBusNamespace is empty: the outbox relays events to the storage queue '{options.QueueName}'.");
        }

        await serviceBus.ProbeAsync(cancellationToken);
        return new DependencyCheck(DependencyStatus.Up, $"Topic '{options.Topic}' accepts this app as a sender.");
    }
}
