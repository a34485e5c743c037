using Mall.Application.Sharing;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Sharing;

public sealed partial class SharingTimers(DueWorkProcessor processor, ILogger<SharingTimers> logger)
{
    /// <summary>The due work this timer runs (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [ShareRewardsService.GrantWork];

    /// <summary>Every 10 minutes: grants share-reward tiers that waited for the day's budget, the switch or coupon quota.</summary>
    [Function("Sharing_GrantWaitingTiers")]
    public async Task GrantWaitingTiers([TimerTrigger("0 */10 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Share-reward tiers: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
