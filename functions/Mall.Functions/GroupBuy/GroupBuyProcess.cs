using Mall.Application.GroupBuy;
using Mall.Domain.GroupBuy;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Mall.Functions.GroupBuy;

/// <summary>The group buy orchestration and its activities, as Durable Functions.</summary>
public sealed class GroupBuyProcess(GroupBuyService groupBuys)
{
    [Function(GroupBuyOrchestrator.Name)]
    public static Task<GroupBuyProcessResult> Run([OrchestrationTrigger] TaskOrchestrationContext context, GroupBuyProcessInput input) =>
        new GroupBuyOrchestrator().RunAsync(context, input);

    [Function(GroupBuyOrchestrator.StatusActivity)]
    public Task<GroupStatus> Status([ActivityTrigger] string groupId, CancellationToken cancellationToken) =>
        groupBuys.StatusAsync(groupId, cancellationToken);

    [Function(GroupBuyOrchestrator.FailActivity)]
    public Task<GroupClosing> FailAtDeadline([ActivityTrigger] string groupId, CancellationToken cancellationToken) =>
        groupBuys.FailAtDeadlineAsync(groupId, cancellationToken);

    [Function(GroupBuyOrchestrator.RefundMemberActivity)]
    public Task RefundMember([ActivityTrigger] GroupMemberRefund member, CancellationToken cancellationToken) =>
        groupBuys.RefundMemberAsync(member.GroupId, member.OrderId, cancellationToken);
}
