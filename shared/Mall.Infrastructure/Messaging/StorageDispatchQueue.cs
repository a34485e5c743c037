using System.Text.Json;
using Azure.Storage.Queues;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// The dispatch queue on Azure Storage queues, which the dispatch function's queue trigger reads.
/// Messages are base64 encoded: the Functions queue trigger's default messageEncoding
/// (host.json extensions.queues; Microsoft.Azure.WebJobs.Extensions.Storage.Queues 5.x).
/// </summary>
public sealed class StorageDispatchQueue(QueueClient queue) : IDispatchQueue
{
    private bool queueExists;

    public static QueueClientOptions ClientOptions => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    public async Task SendAsync(DispatchRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (!queueExists)
        {
            // Idempotent; a race between two first senders is harmless.
            await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            queueExists = true;
        }

        await queue.SendMessageAsync(JsonSerializer.Serialize(request, MallJson.Options), visibilityTimeout: delay, cancellationToken: cancellationToken);
    }
}
