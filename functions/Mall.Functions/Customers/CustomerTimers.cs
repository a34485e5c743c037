using Mall.Application.Customers;
using Mall.Infrastructure.Scheduling;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Customers;

public sealed partial class CustomerTimers(DueWorkProcessor processor, ILogger<CustomerTimers> logger)
{
    /// <summary>The due work this timer runs (every kind the mall schedules is some timer's).</summary>
    public static readonly IReadOnlyCollection<string> Kinds = [CustomerWork.Erasure];

    /// <summary>Every minute: finish account erasures whose request stopped halfway.</summary>
    [Function("Customers_FinishErasures")]
    public async Task FinishErasures([TimerTrigger("45 * * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var summary = await processor.RunAsync(Kinds, cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Account erasures: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
