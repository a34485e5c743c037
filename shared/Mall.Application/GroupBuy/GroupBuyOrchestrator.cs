using Mall.Domain.GroupBuy;
using Microsoft.DurableTask;

namespace Mall.Application.GroupBuy;

/// <summary>
/// One instance per group (instance id = group id): waits for members' payments until the group's
/// deadline. Full → done; deadline first → the group fails and every paid member is refunded. The
/// group document decides (payments are counted there, exactly once); this only keeps the time,
/// so duplicate or late events cannot oversize or double-refund a group.
/// </summary>
public sealed class GroupBuyOrchestrator : TaskOrchestrator<GroupBuyProcessInput, GroupBuyProcessResult>
{
    public const string Name = nameof(GroupBuyOrchestrator);
    public const string MemberPaidEvent = "MemberPaid";

    public const string StatusActivity = "GroupBuy_Status";
    public const string FailActivity = "GroupBuy_FailAtDeadline";
    public const string RefundMemberActivity = "GroupBuy_RefundMember";

    /// <summary>Storage and WeChat hiccups are retried; the activities are idempotent.</summary>
    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    public override async Task<GroupBuyProcessResult> RunAsync(TaskOrchestrationContext context, GroupBuyProcessInput input)
    {
        using var cancelDeadline = new CancellationTokenSource();
        var deadline = context.CreateTimer(input.Deadline.UtcDateTime, cancelDeadline.Token);
        while (true)
        {
            var paid = context.WaitForExternalEvent<string>(MemberPaidEvent);
            if (await Task.WhenAny(paid, deadline) == paid)
            {
                if (await context.CallActivityAsync<GroupStatus>(StatusActivity, input.GroupId, Retry) == GroupStatus.Succeeded)
                {
                    cancelDeadline.Cancel();
                    return new GroupBuyProcessResult(input.GroupId, GroupStatus.Succeeded, 0);
                }

                continue;
            }

            var closing = await context.CallActivityAsync<GroupClosing>(FailActivity, input.GroupId, Retry);
            await Task.WhenAll(closing.OrdersToRefund.Select(orderId =>
                context.CallActivityAsync(RefundMemberActivity, new GroupMemberRefund(input.GroupId, orderId), Retry)));
            return new GroupBuyProcessResult(input.GroupId, closing.Status, closing.OrdersToRefund.Count);
        }
    }
}

public sealed record GroupMemberRefund(string GroupId, string OrderId);
