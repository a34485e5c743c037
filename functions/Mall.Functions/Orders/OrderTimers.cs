using Mall.Application.Bargains;
using Mall.Application.Orders;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Orders;

public sealed partial class OrderTimers(DueWorkProcessor processor, ILogger<OrderTimers> logger)
{
    /// <summary>The due work this timer runs (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [OrderWork.Expiry, OrderWork.AutoConfirm, OrderWork.AfterSaleClose, OrderWork.ShippingUpload, BargainWork.End];

    /// <summary>Every minute: close unpaid orders at expiry, auto-confirm deliveries, end after-sale windows, upload shipping info, end bargains at their deadlines.</summary>
    [Function("Orders_ProcessDeadlines")]
    public async Task ProcessDeadlines([TimerTrigger("0 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order deadlines: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
