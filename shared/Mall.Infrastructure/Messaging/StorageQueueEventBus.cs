using System.Text.Json;
using Azure.Storage.Queues;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Infrastructure.Messaging;

/// <summary>Local stand-in for the Service Bus topic: events land on a storage queue in Azurite.</summary>
public sealed class StorageQueueEventBus(QueueClient queue) : IEventBus
{
    private bool queueExists;

    public async Task PublishAsync(IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        if (!queueExists)
        {
            // Idempotent; a race between two first publishers is harmless.
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            queueExists = true;
        }

        foreach (var integrationEvent in events)
        {
            await queue.SendMessageAsync(JsonSerializer.Serialize(integrationEvent, MallJson.Options), cancellationToken);
        }
    }
}
