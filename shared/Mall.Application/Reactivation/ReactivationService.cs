using Mall.Application.Coupons;
using Mall.Application.Notifications;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Notifications;
using Mall.Domain.Orders;
using Mall.Domain.Reactivation;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Reactivation;

/// <summary>
/// The daily wake-up of dormant customers (SPEC §4.4): streams the Dormant segment page by page,
/// marks each customer before contacting them (at most once per interval; a resumed run finishes a
/// marked contact instead of repeating it), issues the wake-up coupon (idempotent per day), and sends
/// the recall message only by spending one of the customer's subscriptions, at the configured rate.
/// Checkpoints after every page; re-running a finished day does nothing.
/// </summary>
public sealed partial class ReactivationService(
    IDocumentCollection<Customer> customers,
    IDocumentCollection<ReactivationRun> runs,
    IDocumentCollection<WakeUpContact> contacts,
    CouponService coupons,
    SubscriptionService subscriptions,
    ReactivationOptions options,
    TimeProvider time,
    CustomerPseudonyms pseudonyms,
    ILogger<ReactivationService> logger) : IEventHandler<OrderPaid>
{
    private readonly DailyRuns<ReactivationRun> daily = new(runs, "reactivation");
    private const double Target = 0.18;

    public async Task<ReactivationRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = ChinaTime.DateOf(now);
        var stored = await daily.FindAsync(day, cancellationToken);
        var run = stored?.Value ?? new ReactivationRun { Day = day, StartedAt = now };
        if (run.CompletedAt is not null)
        {
            return run;
        }

        var pacer = new SendPacer(time, options.MessagesPerSecond);
        using var slots = new SemaphoreSlim(options.Concurrency);
        var dormant = new DocumentQuery { ColumnEquals = new Dictionary<string, string> { ["Segment"] = nameof(Domain.Segmentation.CustomerSegment.Dormant) } };
        do
        {
            var page = await customers.QueryAsync(dormant, run.ContinuationToken, options.PageSize, cancellationToken);
            var outcomes = await Task.WhenAll(page.Items.Select(async entry =>
            {
                await slots.WaitAsync(cancellationToken);
                try
                {
                    return await ContactAsync(entry.Key, day, pacer, cancellationToken);
                }
                finally
                {
                    slots.Release();
                }
            }));

            var contacted = outcomes.OfType<WakeUpContact>().ToList();
            run = run with
            {
                ContinuationToken = page.ContinuationToken,
                Dormant = run.Dormant + outcomes.Length,
                Contacted = run.Contacted + contacted.Count,
                Skipped = run.Skipped + (outcomes.Length - contacted.Count),
                CouponsIssued = run.CouponsIssued + contacted.Count(c => c.CouponIssued),
                MessagesSent = run.MessagesSent + contacted.Count(c => c.Message == WakeUpMessage.Sent),
                NoConsent = run.NoConsent + contacted.Count(c => c.Message is WakeUpMessage.NoConsent or WakeUpMessage.RefusedByUser),
                MessagesFailed = run.MessagesFailed + contacted.Count(c => c.Message is WakeUpMessage.Failed or WakeUpMessage.Invalid),
                CompletedAt = page.ContinuationToken is null ? time.GetUtcNow() : null,
            };
            // The checkpoint: a crash after this point resumes with the next page.
            stored = await daily.CheckpointAsync(stored, run, cancellationToken);
            LogProgress(logger, day, run.Dormant, run.Contacted, run.MessagesSent);
        }
        while (run.CompletedAt is null);

        return run;
    }

    /// <summary>Wake-up contacts made since <paramref name="days"/> ago and how many of them came back.</summary>
    public async Task<ReactivationReport> ReportAsync(int days, CancellationToken cancellationToken)
    {
        var today = ChinaTime.DateOf(time.GetUtcNow());
        var since = today.AddDays(-days);
        var (contacted, sent, returned) = (0, 0, 0);
        await foreach (var contact in contacts.ScanAsync(new DocumentQuery { PartitionKeyFrom = ChinaTime.DayKey(since), PartitionKeyBefore = ChinaTime.DayKey(today.AddDays(1)) }, 1000, cancellationToken))
        {
            contacted++;
            sent += contact.Value.Message == WakeUpMessage.Sent ? 1 : 0;
            returned += contact.Value.ReturnedAt is null ? 0 : 1;
        }

        var recentRuns = await daily.SinceAsync(since, cancellationToken);
        return new ReactivationReport(contacted, sent, returned, contacted == 0 ? null : (double)returned / contacted, Target, recentRuns);
    }

    /// <summary>A payment within the window after a wake-up contact marks that contact as returned (once).</summary>
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var customer = await customers.FindAsync(DocumentKey.Single(paid.Order.CustomerId), cancellationToken);
        var paidAt = paid.PaidAt;
        if (customer?.Value.LastWakeUp is not { } mark || !options.ToRules().IsReturn(mark, paidAt))
        {
            return;
        }

        await contacts.TransitionAsync(
            new DocumentKey(ChinaTime.DayKey(mark.Day), customer.Value.Id),
            current => current is null || current.Value.ReturnedAt is not null
                ? Decision.Keep<WakeUpContact, bool>(false)
                : Decision.Write(current.Value with { ReturnedAt = paidAt, ReturnOrderId = paid.Order.OrderId }, true),
            cancellationToken);
    }

    /// <summary>One customer: null when left alone, else the contact as made (or as finished after a crash).</summary>
    private async Task<WakeUpContact?> ContactAsync(DocumentKey customerKey, DateOnly day, SendPacer pacer, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var (customer, step) = await customers.TransitionAsync(
            customerKey,
            current =>
            {
                var (next, decided) = current!.Value.WakeUp(options.ToRules(), day, now);
                return decided == WakeUpStep.Start ? Decision.Write(next, (next, decided)) : Decision.Keep<Customer, (Customer, WakeUpStep)>((next, decided));
            },
            cancellationToken);
        if (step == WakeUpStep.NotDormant)
        {
            return null;
        }

        // Too soon after a finished contact: leave alone. Too soon after one a crashed run never
        // finished (on an earlier day, the timer running once a day): finish it now, under its own day.
        var mark = customer.LastWakeUp!;
        var contactKey = new DocumentKey(ChinaTime.DayKey(mark.Day), customer.Id);
        if ((await contacts.FindAsync(contactKey, cancellationToken))?.Value is { } finished)
        {
            return step == WakeUpStep.TooSoon ? null : finished;
        }

        var sendKey = $"wakeup:{ChinaTime.DayKey(mark.Day)}";
        var couponIssued = !string.IsNullOrEmpty(options.CouponTemplateId)
            && await coupons.GrantAsync(customer.Id, options.CouponTemplateId, sendKey, cancellationToken) is not null;
        var (message, code) = await MessageAsync(customer, sendKey, mark.Day, pacer, cancellationToken);
        var contact = new WakeUpContact(customer.Id, mark.Day, mark.At, couponIssued, message) { MessageCode = code };
        try
        {
            await contacts.InsertAsync(contactKey, contact, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Another run finished this contact first; its record stands.
        }

        return contact;
    }

    private async Task<(WakeUpMessage Message, string? Code)> MessageAsync(Customer customer, string sendKey, DateOnly day, SendPacer pacer, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.MessageTemplateId))
        {
            return (WakeUpMessage.NotConfigured, null);
        }

        var message = new SubscribeMessage(customer.OpenId, options.MessageTemplateId, options.MessagePage, new Dictionary<string, string>
        {
            [ReactivationOptions.MessageTextKey] = options.MessageText,
            ["date2"] = ChinaTime.DayKey(day),
        });
        var result = await subscriptions.SendAsync(customer.Id, sendKey, message, pacer.WaitTurnAsync, cancellationToken);
        if (result.Outcome is not (MessageOutcome.Sent or MessageOutcome.NoConsent))
        {
            LogSendFailed(logger, pseudonyms.Of(customer.Id), result.Outcome, result.Code, result.Detail);
        }

        return (result.Outcome switch
        {
            MessageOutcome.Sent => WakeUpMessage.Sent,
            MessageOutcome.NoConsent => WakeUpMessage.NoConsent,
            MessageOutcome.RefusedByUser => WakeUpMessage.RefusedByUser,
            MessageOutcome.Invalid => WakeUpMessage.Invalid,
            MessageOutcome.NotSent => WakeUpMessage.Failed,
            _ => WakeUpMessage.Interrupted,
        }, result.Code);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reactivation {Day}: {Dormant} dormant read, {Contacted} contacted, {Sent} messages sent")]
    private static partial void LogProgress(ILogger logger, DateOnly day, int dormant, int contacted, int sent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wake-up message to customer {Customer} not delivered: {Outcome} (errcode {Code}) {Detail}")]
    private static partial void LogSendFailed(ILogger logger, string customer, MessageOutcome outcome, string? code, string? detail);
}
