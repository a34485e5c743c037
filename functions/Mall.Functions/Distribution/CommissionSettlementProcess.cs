using Mall.Application.Distribution;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Mall.Functions.Distribution;

/// <summary>The commission settlement orchestration and its activities, as Durable Functions.</summary>
public sealed class CommissionSettlementProcess(DistributionService distribution)
{
    [Function(CommissionSettlementOrchestrator.Name)]
    public static Task<CommissionProgress> Run([OrchestrationTrigger] TaskOrchestrationContext context, string orderId) =>
        new CommissionSettlementOrchestrator().RunAsync(context, orderId);

    [Function(CommissionSettlementOrchestrator.AccrueActivity)]
    public Task<CommissionProgress> Accrue([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        distribution.AccrueAsync(orderId, cancellationToken);

    [Function(CommissionSettlementOrchestrator.SyncActivity)]
    public Task<CommissionProgress> Sync([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        distribution.SyncAsync(orderId, cancellationToken);

    [Function(CommissionSettlementOrchestrator.SettleActivity)]
    public Task<CommissionProgress> Settle([ActivityTrigger] string orderId, CancellationToken cancellationToken) =>
        distribution.SettleAsync(orderId, cancellationToken);
}
