using Mall.Application.Payments;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Payments;

public sealed partial class PaymentTimers(DueWorkProcessor processor, ILogger<PaymentTimers> logger)
{
    /// <summary>The due work this timer runs (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [PaymentWork.Check, RefundWork.Submit, RefundWork.Check, RefundWork.Restock];

    /// <summary>Every minute: query WeChat (查单) for orders still unpaid after their prepay, submit approved refunds, chase refunds, restock.</summary>
    [Function("Payments_Reconcile")]
    public async Task Reconcile([TimerTrigger("30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment reconciliation: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
