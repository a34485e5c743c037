using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;

namespace Mall.Application.Distribution;

/// <summary>
/// Order and customer events that matter to distribution: a paid order starts its settlement
/// process; completion and refunds update the commission (reversing it if already settled) and wake
/// the process; a new customer joins their referrers' teams.
/// </summary>
public sealed class DistributionEvents(DistributionService distribution, IWorkflowClient workflows) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType is "OrderPaid" or "OrderCompleted" or "RefundSucceeded" or "CustomerRegistered";

    public async Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        switch (integrationEvent.Type)
        {
            case "CustomerRegistered":
                await distribution.IndexReferralsAsync(data["customerId"], cancellationToken);
                break;

            case "OrderPaid":
                if (await distribution.EarnsCommissionAsync(data["customerId"], cancellationToken))
                {
                    var orderId = data["orderId"];
                    await workflows.StartOnceAsync(CommissionSettlementOrchestrator.Name, CommissionSettlementOrchestrator.InstanceId(orderId), orderId, cancellationToken);
                }

                break;

            default:
                // Refunds after settlement are reversed here; the process (if still waiting) re-checks.
                var progress = await distribution.SyncAsync(data["orderId"], cancellationToken);
                if (progress.Status == CommissionStatus.Pending)
                {
                    await workflows.RaiseEventAsync(CommissionSettlementOrchestrator.InstanceId(data["orderId"]), CommissionSettlementOrchestrator.OrderChangedEvent, integrationEvent.Type, cancellationToken);
                }

                break;
        }
    }
}
