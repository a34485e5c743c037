using Mall.Domain.Distribution;
using Microsoft.DurableTask;

namespace Mall.Application.Distribution;

/// <summary>
/// One instance per paid order (instance id <see cref="InstanceId"/>): accrues the commission as
/// pending, then waits — for the order to complete, for the after-sale window to pass, re-checking
/// whenever the order changes (a refund) — and settles it. The commission document and its ledger
/// decide; this keeps the time, so repeated signals change nothing.
/// </summary>
public sealed class CommissionSettlementOrchestrator : TaskOrchestrator<string, CommissionProgress>
{
    public const string Name = nameof(CommissionSettlementOrchestrator);
    public const string OrderChangedEvent = "OrderChanged";

    public const string AccrueActivity = "Commission_Accrue";
    public const string SyncActivity = "Commission_Sync";
    public const string SettleActivity = "Commission_Settle";

    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public static string InstanceId(string orderId) => "commission-" + orderId;

    public override async Task<CommissionProgress> RunAsync(TaskOrchestrationContext context, string orderId)
    {
        var progress = await context.CallActivityAsync<CommissionProgress>(AccrueActivity, orderId, Retry);
        // One waiter at a time: a second waiter for the same event would swallow the next signal.
        Task<string>? changed = null;
        while (progress.Status == CommissionStatus.Pending)
        {
            changed ??= context.WaitForExternalEvent<string>(OrderChangedEvent);
            if (progress.SettleAt is { } settleAt)
            {
                using var cancelTimer = new CancellationTokenSource();
                var due = context.CreateTimer(settleAt.UtcDateTime, cancelTimer.Token);
                if (await Task.WhenAny(changed, due) == due)
                {
                    progress = await context.CallActivityAsync<CommissionProgress>(SettleActivity, orderId, Retry);
                    continue;
                }

                cancelTimer.Cancel();
            }

            await changed;
            changed = null;
            progress = await context.CallActivityAsync<CommissionProgress>(SyncActivity, orderId, Retry);
        }

        return progress;
    }
}
