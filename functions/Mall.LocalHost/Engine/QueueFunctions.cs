using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.DurableTask.Client;

namespace Mall.LocalHost.Engine;

/// <summary>Calls queue-triggered functions with a message, converting it as the worker's queue extension does.</summary>
public sealed class QueueFunctions(IReadOnlyList<FunctionDefinition> functions, IServiceProvider services)
{
    public IReadOnlyList<FunctionDefinition> All { get; } = functions.Where(f => f.Trigger == TriggerKind.Queue).ToList();

    public async Task RunAsync(FunctionDefinition function, QueueMessage message, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await FunctionInvoker.InvokeAsync(function, scope.ServiceProvider, binding => binding.Source switch
        {
            ParameterSource.QueueMessage => Convert(message, binding.Type, scope.ServiceProvider),
            ParameterSource.DurableClient => scope.ServiceProvider.GetRequiredService<DurableTaskClient>(),
            _ => throw new InvalidOperationException($"{binding.Source} is not a queue binding."),
        }, cancellationToken);
    }

    /// <summary>A body that is not JSON for a POCO fails the invocation, so the message is retried and then poisoned, as in the worker.</summary>
    private static object? Convert(QueueMessage message, Type type, IServiceProvider services) =>
        type == typeof(string) ? message.Body.ToString()
        : type == typeof(byte[]) ? message.Body.ToArray()
        : type == typeof(BinaryData) ? message.Body
        : type == typeof(QueueMessage) ? message
        : WorkerSerializer.For(services).Deserialize(message.Body.ToStream(), type, CancellationToken.None);
}

/// <summary>
/// One listener per queue function, polling as the queue extension's listener does (azure-sdk-for-net
/// sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Common/src/Shared/Queues/QueueListener.cs): a batch of
/// messages at a time (each invisible for 10 minutes while its function runs, renewed halfway while it still runs), the next batch once no
/// more than newBatchThreshold are still running, a randomized exponential backoff up to
/// maxPollingInterval while the queue is empty. A message that succeeds is deleted; one that fails is
/// released to be retried after visibilityTimeout, and after maxDequeueCount tries moves to
/// &lt;queue&gt;-poison (Shared/Queues/QueueProcessor.cs, BeginProcessingMessageAsync/CompleteProcessingMessageAsync). A run
/// the host's stop cancels has failed, and its message is released the same way (QueueListener.StopAsync). Disabled
/// functions have no listener.
/// A message the encoding cannot decode goes to the poison queue at once (Queues/src/QueueServiceClientProvider.cs).
/// </summary>
public sealed partial class QueueListeners(QueueFunctions functions, QueueOptions options, IConfiguration configuration, ILogger<QueueListeners> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(functions.All.Where(f => !f.Disabled).Select(function => ListenAsync(function, stoppingToken)));

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
                    batch = (await queue.ReceiveMessagesAsync(options.BatchSize, options.ProcessingVisibility, stoppingToken)).Value;
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

            Exception? failure = null;
            await using (var renewal = new VisibilityRenewal(queue, message, options.ProcessingVisibility, logger))
            {
                try
                {
                    await functions.RunAsync(function, message, stoppingToken);
                }
                catch (Exception exception)
                {
                    failure = exception;
                }

                message = await renewal.StopAsync();
            }

            if (failure is not null)
            {
                if (failure is OperationCanceledException && stoppingToken.IsCancellationRequested)
                {
                    LogCancelledByStop(logger, function.Name, message.MessageId);
                }
                else
                {
                    LogFailure(logger, failure, function.Name, message.MessageId, message.DequeueCount, options.MaxDequeueCount);
                }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Function {Function} was cancelled by the host's stop on message {MessageId}; the message is released")]
    private static partial void LogCancelledByStop(ILogger logger, string function, string messageId);

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
/// Keeps a message invisible while its function runs: QueueListener's visibility timer updates the message halfway to
/// its expiry (Shared/Queues/QueueListener.cs, CreateUpdateMessageVisibilityTimer; UpdateQueueMessageVisibilityCommand),
/// and each update gives the message a new pop receipt, which completing it needs.
/// </summary>
public sealed partial class VisibilityRenewal : IAsyncDisposable
{
    private readonly QueueClient queue;
    private readonly TimeSpan visibility;
    private readonly ILogger logger;
    private readonly CancellationTokenSource stop = new();
    private readonly Task renewing;
    private QueueMessage message;

    public VisibilityRenewal(QueueClient queue, QueueMessage message, TimeSpan visibility, ILogger logger)
    {
        (this.queue, this.message, this.visibility, this.logger) = (queue, message, visibility, logger);
        renewing = RenewAsync();
    }

    /// <returns>The message with its latest pop receipt.</returns>
    public async Task<QueueMessage> StopAsync()
    {
        await stop.CancelAsync();
        await renewing;
        return message;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task RenewAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(visibility / 2, stop.Token);
                var receipt = await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: visibility, cancellationToken: stop.Token);
                message = message.Update(receipt.Value);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is RequestFailedException or IOException or HttpRequestException)
        {
            // The run goes on; its message may be delivered again when its invisibility ends, as in Azure.
            LogRenewalFailed(logger, exception, message.MessageId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep message {MessageId} invisible while its function runs")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string messageId);
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
