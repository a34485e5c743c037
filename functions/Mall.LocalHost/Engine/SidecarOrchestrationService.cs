using System.Collections.Concurrent;
using DurableTask.Core;

namespace Mall.LocalHost.Engine;

/// <summary>
/// The storage provider as the gRPC sidecar of Microsoft.DurableTask.InProcessTestHost drives it,
/// with what that sidecar leaves out for a persistent provider:
/// <list type="bullet">
/// <item>It starts the provider when the worker connects and stops it when the sidecar host stops,
/// from callbacks nobody awaits, and would start it even after a stop. Here start and stop each run
/// once, a start after a stop is ignored, and <see cref="Stopped"/> tells when the stop is over, so
/// the host can wait for the provider to give up its leases before it exits.</item>
/// <item>It never renews the lock of a running activity, so an activity outliving the work-item
/// queue's visibility timeout would be delivered again while it still runs. Here the lock is renewed
/// 30 s before it expires (halfway, for shorter locks) until the activity completes or is abandoned,
/// as DurableTask.Core's own TaskActivityDispatcher.RenewUntil does.</item>
/// <item>Its fetch loops stop when a cancelled fetch throws, as the in-memory service's does; this
/// provider returns no work item instead, and the loop would spin on at full speed and never stop.
/// Here a cancelled fetch throws.</item>
/// </list>
/// </summary>
public sealed partial class SidecarOrchestrationService(IOrchestrationService inner, ILogger<SidecarOrchestrationService> logger) : IOrchestrationService
{
    private static readonly TimeSpan RenewBeforeExpiry = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, LockRenewal> activityLocks = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock lifecycle = new();
    private Task? starting;
    private Task? stopping;

    /// <summary>Completes once the provider has stopped, or when it is stopped before it ever started.</summary>
    public Task Stopped => stopped.Task;

    public int TaskOrchestrationDispatcherCount => inner.TaskOrchestrationDispatcherCount;

    public int MaxConcurrentTaskOrchestrationWorkItems => inner.MaxConcurrentTaskOrchestrationWorkItems;

    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => inner.EventBehaviourForContinueAsNew;

    public int TaskActivityDispatcherCount => inner.TaskActivityDispatcherCount;

    public int MaxConcurrentTaskActivityWorkItems => inner.MaxConcurrentTaskActivityWorkItems;

    public Task StartAsync()
    {
        lock (lifecycle)
        {
            return starting ??= stopping is null ? inner.StartAsync() : Task.CompletedTask;
        }
    }

    public Task StopAsync() => StopAsync(isForced: false);

    public Task StopAsync(bool isForced)
    {
        lock (lifecycle)
        {
            return stopping ??= StopOnceAsync(starting, isForced);
        }
    }

    private async Task StopOnceAsync(Task? started, bool isForced)
    {
        try
        {
            if (started is not null)
            {
                await started;
                await inner.StopAsync(isForced);
            }

            stopped.TrySetResult();
        }
        catch (Exception exception)
        {
            stopped.TrySetException(exception);
            throw;
        }
    }

    public Task CreateAsync() => inner.CreateAsync();

    public Task CreateAsync(bool recreateInstanceStore) => inner.CreateAsync(recreateInstanceStore);

    public Task CreateIfNotExistsAsync() => inner.CreateIfNotExistsAsync();

    public Task DeleteAsync() => inner.DeleteAsync();

    public Task DeleteAsync(bool deleteInstanceStore) => inner.DeleteAsync(deleteInstanceStore);

    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        inner.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    public int GetDelayInSecondsAfterOnProcessException(Exception exception) => inner.GetDelayInSecondsAfterOnProcessException(exception);

    public int GetDelayInSecondsAfterOnFetchException(Exception exception) => inner.GetDelayInSecondsAfterOnFetchException(exception);

    public async Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        (await ThrowIfCancelledEmptyAsync(inner.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken), cancellationToken))!;

    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) => inner.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState) =>
        inner.CompleteTaskOrchestrationWorkItemAsync(workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages, continuedAsNewMessage, orchestrationState);

    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.AbandonTaskOrchestrationWorkItemAsync(workItem);

    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) => inner.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        var workItem = await ThrowIfCancelledEmptyAsync(inner.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken), cancellationToken);
        if (workItem is not null)
        {
            var cancellation = new CancellationTokenSource();
            activityLocks[workItem.Id] = new LockRenewal(RenewUntilCancelledAsync(workItem, cancellation.Token), cancellation);
        }

        return workItem!;
    }

    public Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem) => inner.RenewTaskActivityWorkItemLockAsync(workItem);

    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        // A renewal in flight would change the message's receipt under the completion.
        await EndRenewalAsync(workItem);
        await inner.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await EndRenewalAsync(workItem);
        await inner.AbandonTaskActivityWorkItemAsync(workItem);
    }

    /// <summary>
    /// The provider's fetch gives no work item when cancelled; the sidecar's loop needs it to throw. No
    /// work item without a cancellation (nothing left to lock after all, e.g. a released partition)
    /// goes through: the sidecar fetches again.
    /// </summary>
    private static async Task<T?> ThrowIfCancelledEmptyAsync<T>(Task<T> fetching, CancellationToken cancellationToken)
        where T : class
    {
        var workItem = await fetching;
        if (workItem is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        return workItem;
    }

    private async Task RenewUntilCancelledAsync(TaskActivityWorkItem workItem, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var remaining = workItem.LockedUntilUtc - DateTime.UtcNow;
                var margin = remaining / 2 < RenewBeforeExpiry ? remaining / 2 : RenewBeforeExpiry;
                await Task.Delay(remaining - margin > TimeSpan.Zero ? remaining - margin : TimeSpan.Zero, cancellationToken);
                workItem = await inner.RenewTaskActivityWorkItemLockAsync(workItem);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            // The activity runs on; at worst its message is delivered again, as without renewal.
            LogRenewalFailed(logger, exception, workItem.Id);
        }
    }

    private async Task EndRenewalAsync(TaskActivityWorkItem workItem)
    {
        if (activityLocks.TryRemove(workItem.Id, out var renewal))
        {
            await renewal.Cancellation.CancelAsync();
            await renewal.Loop;
            renewal.Cancellation.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lock of activity work item {WorkItemId}")]
    private static partial void LogRenewalFailed(ILogger logger, Exception exception, string workItemId);

    private sealed record LockRenewal(Task Loop, CancellationTokenSource Cancellation);
}
