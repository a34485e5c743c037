using Mall.Application.Campaigns;
using Mall.Application.FlashSale;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Campaigns;

public sealed partial class CampaignTimers(FlashSlotPlanner planner, CampaignService campaigns, DueWorkProcessor processor, ILogger<CampaignTimers> logger)
{
    /// <summary>The due work <c>Campaigns_Advance</c> runs: campaign milestones, announcements and flash-sale closes (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [CampaignWork.Advance, CampaignWork.Announce, FlashSaleWork.Close];

    /// <summary>
    /// Hourly at :05: creates the flash sales of today and the next days from the templates (once per CST
    /// day and template version; a missed run is made up by the next), and re-schedules every campaign's
    /// next milestone as a safety net.
    /// </summary>
    [Function("Campaigns_PlanFlashSlots")]
    public async Task Plan([TimerTrigger("0 5 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var run = await planner.PlanAsync(force: false, cancellationToken);
        var scheduled = await campaigns.EnsureScheduledAsync(cancellationToken);
        LogPlan(logger, run.Day, run.Planned, run.FailureCount, scheduled);
    }

    /// <summary>Every minute: reaches the campaigns' due milestones in order (what downtime missed first), sends announcements and closes flash sales that ended.</summary>
    [Function("Campaigns_Advance")]
    public async Task Advance([TimerTrigger("15 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogAdvance(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Flash slots planned for {Day}: {Planned} sales, {Failed} refused; {Scheduled} campaigns scheduled")]
    private static partial void LogPlan(ILogger logger, DateOnly day, int planned, int failed, int scheduled);

    [LoggerMessage(Level = LogLevel.Information, Message = "Campaign calendar: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogAdvance(ILogger logger, int done, int deferred, int failed);
}
