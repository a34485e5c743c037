using System.Text.Json;
using Azure.Storage.Queues;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>Local stand-in for the Service Bus topic: events land on a storage queue in Azurite.</summary>
public sealed class StorageQueueEventBus(QueueClient queue) : IEventBus
{
    private bool queueExists;

    public async Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (!queueExists)
        {
            // Idempotent; a race between two first publishers is harmless.
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            queueExists = true;
        }

        await queue.SendMessageAsync(JsonSerializer.Serialize(envelope, MallJson.Options), cancellationToken);
    }
}
