using Azure.Core.Serialization;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Options;

namespace Mall.LocalHost.Engine;

/// <summary>Calls queue-triggered functions with a message, converting it as the worker's queue extension does.</summary>
public sealed class QueueFunctions(IReadOnlyList<FunctionDefinition> functions, IServiceProvider services)
{
    /// <summary>The worker's default serializer when the app configures none (WorkerOptions).</summary>
    private static readonly ObjectSerializer DefaultSerializer = new JsonObjectSerializer(new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true });

    public IReadOnlyList<FunctionDefinition> All { get; } = functions.Where(f => f.Trigger == TriggerKind.Queue).ToList();

    public async Task RunAsync(FunctionDefinition function, QueueMessage message, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, binding => binding.Source switch
        {
            ParameterSource.QueueMessage => Convert(message, binding.Type, scope.ServiceProvider),
            ParameterSource.CancellationToken => cancellationToken,
            ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
            _ => throw new InvalidOperationException($"{binding.Source} is not a queue binding."),
        });
    }

    /// <summary>A body that is not JSON for a POCO fails the invocation, so the message is retried and then poisoned, as in the worker.</summary>
    private static object? Convert(QueueMessage message, Type type, IServiceProvider services) =>
        type == typeof(string) ? message.Body.ToString()
        : type == typeof(byte[]) ? message.Body.ToArray()
        : type == typeof(BinaryData) ? message.Body
        : type == typeof(QueueMessage) ? message
        : (services.GetService<IOptions<WorkerOptions>>()?.Value.Serializer ?? DefaultSerializer).Deserialize(message.Body.ToStream(), type, CancellationToken.None);
}

/// <summary>
/// One listener per queue function, polling as the queue extension's listener does (azure-sdk-for-net
/// sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Common/src/Shared/Queues/QueueListener.cs): a batch of
/// messages at a time (each invisible for 10 minutes while its function runs), the next batch once no
/// more than newBatchThreshold are still running, a randomized exponential backoff up to
/// maxPollingInterval while the queue is empty. A message that succeeds is deleted; one that fails is
/// released to be retried after visibilityTimeout, and after maxDequeueCount tries moves to
/// &lt;queue&gt;-poison (Shared/Queues/QueueProcessor.cs, BeginProcessingMessageAsync/CompleteProcessingMessageAsync).
/// A message the encoding cannot decode goes to the poison queue at once (Queues/src/QueueServiceClientProvider.cs).
/// </summary>
public sealed partial class QueueListeners(QueueFunctions functions, QueueOptions options, IConfiguration configuration, ILogger<QueueListeners> logger) : BackgroundService
{
    /// <summary>QueueListener's visibility while a function runs (longer than host.json's functionTimeout).</summary>
    private static readonly TimeSpan ProcessingVisibility = TimeSpan.FromMinutes(10);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(functions.All.Select(function => ListenAsync(function, stoppingToken)));

    private async Task ListenAsync(FunctionDefinition function, CancellationToken stoppingToken)
    {
        var connectionString = configuration[function.QueueConnectionSetting!];
        var poisonName = QueueNames.PoisonQueueFor(function.QueueName!);
        var clientOptions = new QueueClientOptions { MessageEncoding = options.MessageEncoding };
        if (poisonName is not null)
        {
            // The undecodable body goes to the poison queue as it came (QueueServiceClientProvider's handler).
            var rawPoison = new QueueClient(connectionString, poisonName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None });
            clientOptions.MessageDecodingFailed += async args =>
            {
                if (args.ReceivedMessage is { } undecodable)
                {
                    await rawPoison.CreateIfNotExistsAsync(cancellationToken: args.CancellationToken);
                    await rawPoison.SendMessageAsync(undecodable.Body, cancellationToken: args.CancellationToken);
                    await args.Queue.DeleteMessageAsync(undecodable.MessageId, undecodable.PopReceipt, args.CancellationToken);
                    LogUndecodable(logger, undecodable.MessageId, function.QueueName!, options.MessageEncoding, poisonName);
                }
            };
        }

        var queue = new QueueClient(connectionString, function.QueueName, clientOptions);
        var poison = poisonName is null ? null : new QueueClient(connectionString, poisonName, clientOptions);
        var backoff = new PollingBackoff(QueueOptions.MinimumPollingInterval, options.MaxPollingInterval);
        var running = new List<Task>();
        var foundSinceLastWait = false;
        bool? queueExists = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] batch = [];
            try
            {
                // Like QueueListener: an absent queue is not an error, only a reason to look again later.
                queueExists = queueExists == true || (await queue.ExistsAsync(stoppingToken)).Value;
                if (queueExists == true)
                {
                    batch = (await queue.ReceiveMessagesAsync(options.BatchSize, ProcessingVisibility, stoppingToken)).Value;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception exception)
            {
                // Storage errors, and storage out of reach (retries exhausted): look again after the backoff.
                queueExists = null;
                LogPollFailed(logger, function.QueueName!, function.Name, exception.Message);
            }

            if (batch.Length == 0)
            {
                var delay = backoff.Next(foundMessages: foundSinceLastWait);
                foundSinceLastWait = false;
                LogBackoff(logger, function.QueueName!, function.Name, (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                continue;
            }

            foundSinceLastWait = true;
            running.RemoveAll(task => task.IsCompleted);
            running.AddRange(batch.Select(message => ProcessAsync(function, queue, poison, message, stoppingToken)));
            while (running.Count > options.NewBatchThreshold)
            {
                running.Remove(await Task.WhenAny(running));
            }
        }

        await Task.WhenAll(running);
    }

    private async Task ProcessAsync(FunctionDefinition function, QueueClient queue, QueueClient? poison, QueueMessage message, CancellationToken stoppingToken)
    {
        try
        {
            if (message.DequeueCount > options.MaxDequeueCount)
            {
                await MoveToPoisonAsync(queue, poison, message);
                return;
            }

            try
            {
                await functions.RunAsync(function, message, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down: the message becomes visible again when its 10 minutes are up, as in Azure.
                return;
            }
            catch (Exception exception)
            {
                LogFailure(logger, exception, function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount);
                if (poison is null)
                {
                    // No poison queue: the message stays invisible rather than failing in a tight loop (QueueProcessor).
                    return;
                }

                if (message.DequeueCount >= options.MaxDequeueCount)
                {
                    await MoveToPoisonAsync(queue, poison, message);
                }
                else
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: options.VisibilityTimeout, cancellationToken: CancellationToken.None);
                }

                return;
            }

            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // Gone, taken over (pop receipt mismatch) or storage out of reach: the message becomes visible
            // again when its invisibility ends, and is delivered once more (at least once, as in Azure).
            LogCompletionFailed(logger, message.MessageId, function.QueueName!, exception.Message);
        }
    }

    private async Task MoveToPoisonAsync(QueueClient queue, QueueClient? poison, QueueMessage message)
    {
        if (poison is null)
        {
            return;
        }

        LogPoison(logger, options.MaxDequeueCount, poison.Name);
        await poison.CreateIfNotExistsAsync(cancellationToken: CancellationToken.None);
        await poison.SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue} for {Function} is empty; polling again in {DelayMs} ms")]
    private static partial void LogBackoff(ILogger logger, string queue, string function, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {Queue} for {Function} failed: {Error}")]
    private static partial void LogPollFailed(ILogger logger, string queue, string function, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed on message {MessageId} (dequeue count {DequeueCount} of {MaxDequeueCount})")]
    private static partial void LogFailure(ILogger logger, Exception exception, string function, string messageId, long dequeueCount, int maxDequeueCount);

    /// <summary>The queue extension's own warning (Shared/Queues/QueueProcessor.cs, CopyMessageToPoisonQueueAsync).</summary>
    [LoggerMessage(Level = LogLevel.Warning, Message = "Message has reached MaxDequeueCount of {MaxDequeueCount}. Moving message to queue '{PoisonQueue}'.")]
    private static partial void LogPoison(ILogger logger, int maxDequeueCount, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on queue {Queue} is not valid {Encoding}; moved to queue '{PoisonQueue}'")]
    private static partial void LogUndecodable(ILogger logger, string messageId, string queue, QueueMessageEncoding encoding, string poisonQueue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Message {MessageId} on queue {Queue} could not be completed: {Error}")]
    private static partial void LogCompletionFailed(ILogger logger, string messageId, string queue, string error);
}

/// <summary>
/// The wait after an empty poll (Shared/Timers/RandomizedExponentialBackoffStrategy.cs in the storage extensions): the
/// minimum after a poll that found messages; then, poll after empty poll, the minimum plus an increment
/// that doubles each time, randomized by ±20 %, until it reaches the maximum, where it stays.
/// </summary>
public sealed class PollingBackoff(TimeSpan minimum, TimeSpan maximum)
{
    private TimeSpan current;
    private int doublings = -1;

    public TimeSpan Next(bool foundMessages)
    {
        if (foundMessages)
        {
            (current, doublings) = (minimum, 0);
        }
        else if (current < maximum)
        {
            var increment = doublings < 0 ? TimeSpan.Zero : minimum * (Math.Pow(2, doublings) * (0.8 + (Random.Shared.NextDouble() * 0.4)));
            current = minimum + increment < maximum ? minimum + increment : maximum;
            doublings++;
        }

        return current;
    }
}
