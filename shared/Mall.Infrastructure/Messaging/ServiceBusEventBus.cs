using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// Publishes to the Service Bus topic. MessageId is the event id, so the topic's duplicate detection
/// drops a repeat the dispatcher may send when it crashed between sending and recording the send.
/// </summary>
public sealed class ServiceBusEventBus(ServiceBusSender sender) : IEventBus
{
    public Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken) => sender.SendMessageAsync(ToMessage(envelope), cancellationToken);

    /// <summary>Opens the sender's link to the topic without sending: the namespace answers, the credential is accepted, the topic exists.</summary>
    public async Task ProbeAsync(CancellationToken cancellationToken)
    {
        using var batch = await sender.CreateMessageBatchAsync(cancellationToken);
    }

    /// <summary>The message downstream consumers receive (docs/events.md describes it).</summary>
    public static ServiceBusMessage ToMessage(EventEnvelope envelope)
    {
        var message = new ServiceBusMessage(BinaryData.FromString(JsonSerializer.Serialize(envelope, MallJson.Options)))
        {
            MessageId = envelope.Id,
            Subject = envelope.Type,
            ContentType = "application/json",
        };
        message.ApplicationProperties["eventType"] = envelope.Type;
        message.ApplicationProperties["subjectId"] = envelope.SubjectId;
        if (envelope.TraceParent is { } traceParent)
        {
            // Service Bus tooling's name for the trace context (the Azure SDK's own Diagnostic-Id).
            message.ApplicationProperties["Diagnostic-Id"] = traceParent;
        }
        return message;
    }
}
