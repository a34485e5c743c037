using System.Text.Json;
using Azure.Storage.Queues;
using Mall.Application.Platform;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Testing;

/// <summary>
/// Does what the dispatch function's queue trigger does, on demand: takes the dispatch queue's
/// visible messages and hands each to the real <see cref="EventDispatcher"/>, until none is left —
/// including the messages the handlers' own writes announce. Messages delayed for later (retries,
/// re-checks) stay on the queue.
/// </summary>
public sealed class EventPump(QueueClient queue, EventDispatcher dispatcher, IWorkflowClient? workflows = null)
{
    public static EventPump For(IServiceProvider services, IWorkflowClient? workflows = null)
    {
        var storage = services.GetRequiredService<StorageOptions>();
        var queueName = services.GetRequiredService<EventOptions>().DispatchQueue;
        return new EventPump(new QueueClient(storage.ConnectionString, queueName, StorageDispatchQueue.ClientOptions), services.GetRequiredService<EventDispatcher>(), workflows);
    }

    private readonly EventContext context = new(workflows ?? new NoDurableEngine());

    /// <summary>Dispatches until the queue has no visible message; returns how many messages it handled.</summary>
    public async Task<int> DrainAsync(CancellationToken cancellationToken = default)
    {
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var handled = 0;
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(maxMessages: 16, visibilityTimeout: TimeSpan.FromMinutes(1), cancellationToken)).Value;
            if (messages.Length == 0)
            {
                return handled;
            }

            // Like the queue trigger, a batch of messages at a time.
            await Task.WhenAll(messages.Select(async message =>
            {
                var request = JsonSerializer.Deserialize<DispatchRequest>(message.Body.ToString(), MallJson.Options)!;
                await dispatcher.DispatchAsync(request, context, cancellationToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            }));
            handled += messages.Length;
        }
    }

    /// <summary>For tests without orchestrations: a handler that signals one fails, as it would with no durable client.</summary>
    private sealed class NoDurableEngine : IWorkflowClient
    {
        public Task<bool> StartOnceAsync(string orchestration, string instanceId, object input, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"This test runs no durable engine ({orchestration} {instanceId}).");

        public Task RaiseEventAsync(string instanceId, string eventName, object payload, CancellationToken cancellationToken) =>
            throw new InvalidOperationException($"This test runs no durable engine ({eventName} to {instanceId}).");
    }
}
