using Mall.Application.WeChat;
using Mall.Domain.Presale;
using Microsoft.DurableTask;

namespace Mall.Application.Presale;

/// <summary>
/// One instance per reservation (instance id = reservation id), started when the deposit is paid:
/// waits for the balance window, reminds the customer, then waits for the balance payment until the
/// window ends — paid: done; not paid: the deposit is forfeited or refunded per the campaign.
/// </summary>
public sealed class PresaleOrchestrator : TaskOrchestrator<PresaleProcessInput, PresaleStatus>
{
    public const string Name = nameof(PresaleOrchestrator);
    public const string BalancePaidEvent = "BalancePaid";

    public const string RemindActivity = "Presale_Remind";
    public const string StatusActivity = "Presale_Status";
    public const string CloseWindowActivity = "Presale_CloseWindow";

    public static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2));

    /// <summary>
    /// The reminder is tried again only when WeChat did not send it (busy, rate-limited: the subscription was
    /// given back); any other failure would fail the same way again, and must not hold the presale up.
    /// </summary>
    public static readonly TaskOptions ReminderRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 6, firstRetryInterval: TimeSpan.FromSeconds(2), backoffCoefficient: 2)
        {
            HandleFailure = failure => failure.IsCausedBy<WeChatException>(),
        });

    public override async Task<PresaleStatus> RunAsync(TaskOrchestrationContext context, PresaleProcessInput input)
    {
        if (context.CurrentUtcDateTime < input.BalanceStartsAt.UtcDateTime)
        {
            await context.CreateTimer(input.BalanceStartsAt.UtcDateTime, CancellationToken.None);
        }

        try
        {
            await context.CallActivityAsync(RemindActivity, input.ReservationId, ReminderRetry);
        }
        catch (TaskFailedException)
        {
            // No reminder went out (what became of it is on the reservation): the presale goes on all the
            // same, and its window must still close.
        }

        using var cancelDeadline = new CancellationTokenSource();
        var windowEnds = context.CreateTimer(input.BalanceEndsAt.UtcDateTime, cancelDeadline.Token);
        while (true)
        {
            var paid = context.WaitForExternalEvent<string>(BalancePaidEvent);
            if (await Task.WhenAny(paid, windowEnds) == windowEnds)
            {
                return await context.CallActivityAsync<PresaleStatus>(CloseWindowActivity, input.ReservationId, Retry);
            }

            if (await context.CallActivityAsync<PresaleStatus>(StatusActivity, input.ReservationId, Retry) == PresaleStatus.BalancePaid)
            {
                cancelDeadline.Cancel();
                return PresaleStatus.BalancePaid;
            }
        }
    }
}
