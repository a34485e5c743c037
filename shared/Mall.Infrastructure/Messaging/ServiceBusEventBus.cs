using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// Publishes to the Service Bus topic. MessageId is the event id, so the topic's duplicate detection
/// drops the repeats an at-least-once relay can produce.
/// </summary>
public sealed class ServiceBusEventBus(ServiceBusSender sender) : IEventBus
{
    public async Task PublishAsync(IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var pending = new Queue<ServiceBusMessage>(events.Select(ToMessage));
        while (pending.Count > 0)
        {
            using var batch = await sender.CreateMessageBatchAsync(cancellationToken);
            while (pending.Count > 0 && batch.TryAddMessage(pending.Peek()))
            {
                pending.Dequeue();
            }

            if (batch.Count == 0)
            {
                throw new InvalidOperationException($"Event {pending.Peek().MessageId} is larger than a Service Bus message.");
            }

            await sender.SendMessagesAsync(batch, cancellationToken);
        }
    }

    public static ServiceBusMessage ToMessage(IntegrationEvent integrationEvent)
    {
        var message = new ServiceBusMessage(BinaryData.FromString(JsonSerializer.Serialize(integrationEvent, MallJson.Options)))
        {
            MessageId = integrationEvent.Id,
            Subject = integrationEvent.Type,
            ContentType = "application/json",
        };
        message.ApplicationProperties["eventType"] = integrationEvent.Type;
        message.ApplicationProperties["subject"] = integrationEvent.Subject;
        return message;
    }
}
