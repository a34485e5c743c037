using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Specialized;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// The dispatch queue on Azure Storage queues, which the dispatch function's queue trigger reads.
/// Messages are base64 encoded: the Functions queue trigger's default messageEncoding
/// (host.json extensions.queues; Microsoft.Azure.WebJobs.Extensions.Storage.Queues 5.x).
/// </summary>
public sealed class StorageDispatchQueue(QueueClient queue) : IDispatchQueue
{
    // The queue trigger's poison queue: "{queue}-poison" (QueueListener in Microsoft.Azure.WebJobs.Extensions.Storage.Queues).
    private readonly QueueClient poison = queue.GetParentQueueServiceClient().GetQueueClient(queue.Name + "-poison");
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

    public async Task<int> RedrivePoisonedAsync(CancellationToken cancellationToken)
    {
        if (!(await poison.ExistsAsync(cancellationToken)).Value)
        {
            return 0;
        }

        var moved = 0;
        while ((await poison.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromMinutes(1), cancellationToken)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                // Sent before it is deleted: a crash in between leaves a duplicate, which the dispatcher absorbs.
                await queue.SendMessageAsync(message.Body, cancellationToken: cancellationToken);
                await poison.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
                moved++;
            }
        }

        return moved;
    }
}
