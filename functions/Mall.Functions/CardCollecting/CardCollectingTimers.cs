using Mall.Application.CardCollecting;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.CardCollecting;

public sealed partial class CardCollectingTimers(DueWorkProcessor processor, ILogger<CardCollectingTimers> logger)
{
    /// <summary>The due work this timer runs (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [CardCollectingWork.Reconcile];

    /// <summary>Every minute: finishes redemptions a crash left reserved, undoes abandoned ones.</summary>
    [Function("CardCollecting_Reconcile")]
    public async Task Reconcile([TimerTrigger("30 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Card redemptions: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
