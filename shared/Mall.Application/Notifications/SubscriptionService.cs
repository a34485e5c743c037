using FluentValidation;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Notifications;

namespace Mall.Application.Notifications;

/// <param name="TemplateIds">The templates the customer accepted in one wx.requestSubscribeMessage call (status "accept").</param>
public sealed record SubscriptionsRequest(IReadOnlyList<string>? TemplateIds);

public sealed record SubscriptionView(string TemplateId, int Available, int Granted, int Spent);

public sealed class SubscriptionsRequestValidator : AbstractValidator<SubscriptionsRequest>
{
    public SubscriptionsRequestValidator()
    {
        RuleFor(r => r.TemplateIds).NotEmpty().Must(ids => ids is null || ids.Count <= 3).WithMessage("wx.requestSubscribeMessage accepts at most 3 templates at once.");
        RuleForEach(r => r.TemplateIds).NotEmpty().MustBeAnId();
    }
}

/// <summary>
/// One-time subscribe messages with consent: the mini-program reports each accepted template, and a
/// message is sent only by spending one of those acceptances (SPEC §4.4), at most once per send key.
/// </summary>
public sealed class SubscriptionService(IDocumentCollection<MessageSubscription> subscriptions, IWeChatMiniProgram miniProgram, TimeProvider time)
{
    /// <summary>WeChat's errcode for template data it refuses, also given to a message the mall's own check refuses.</summary>
    private const string InvalidTemplateData = "47003";

    public async Task<IReadOnlyList<SubscriptionView>> GrantAsync(string customerId, SubscriptionsRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var granted = new List<SubscriptionView>();
        foreach (var templateId in request.TemplateIds!.Distinct(StringComparer.Ordinal))
        {
            var subscription = await subscriptions.TransitionAsync(
                Key(customerId, templateId),
                current =>
                {
                    var next = (current?.Value ?? MessageSubscription.None(customerId, templateId)).Grant(now);
                    return Decision.Write(next, next);
                },
                cancellationToken);
            granted.Add(View(subscription));
        }

        return granted;
    }

    public async Task<IReadOnlyList<SubscriptionView>> MineAsync(string customerId, CancellationToken cancellationToken)
    {
        var page = await subscriptions.QueryAsync(new DocumentQuery { PartitionKey = customerId }, null, 100, cancellationToken);
        return page.Items.Select(s => View(s.Value)).ToList();
    }

    /// <summary>The customer erased their account: their consents go with it, and no message reaches them any more.</summary>
    public async Task ForgetAsync(string customerId, CancellationToken cancellationToken)
    {
        var held = new List<DocumentKey>();
        await foreach (var subscription in subscriptions.ScanAsync(new DocumentQuery { PartitionKey = customerId }, 100, cancellationToken))
        {
            held.Add(subscription.Key);
        }

        foreach (var key in held)
        {
            await subscriptions.DeleteAsync(key, null, cancellationToken);
        }
    }

    /// <summary>
    /// The customers holding an unused subscription to <paramref name="templateId"/>, a page at a time: a
    /// scan across customers on the row key, for campaigns that write to everyone who opted in.
    /// </summary>
    public async Task<ResultPage<string>> ConsentingAsync(string templateId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await subscriptions.QueryAsync(new DocumentQuery { RowKeyPrefix = templateId }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<string>(page.Items.Where(s => s.Value.TemplateId == templateId && s.Value.Available > 0).Select(s => s.Value.CustomerId).ToList(), page.ContinuationToken);
    }

    /// <summary>
    /// Sends <paramref name="message"/> if the customer holds an unused subscription to its template, and
    /// says what became of it. A message WeChat's template rules refuse is not sent and spends nothing.
    /// <paramref name="beforeSend"/> (pacing) runs only for a message that will go out, before the
    /// subscription is spent. The subscription is spent before sending: a crash in between loses that one
    /// message rather than sending it twice, and the same <paramref name="sendKey"/> never sends again.
    /// It stays spent only for what WeChat took, refused for the user (43101), or may have taken (answer
    /// lost); whenever WeChat answered that it did not send, the customer gets it back.
    /// </summary>
    public async Task<MessageResult> SendAsync(string customerId, string sendKey, SubscribeMessage message, Func<CancellationToken, Task>? beforeSend, CancellationToken cancellationToken)
    {
        if (miniProgram.FindTemplateDataViolation(message) is { } violation)
        {
            return new MessageResult(MessageOutcome.Invalid, InvalidTemplateData, $"Not sent, WeChat would refuse it: {violation}");
        }

        var key = Key(customerId, message.TemplateId);
        var stored = (await subscriptions.FindAsync(key, cancellationToken))?.Value ?? MessageSubscription.None(customerId, message.TemplateId);
        var (_, possible) = stored.Spend(sendKey);
        if (possible != SpendOutcome.Spent)
        {
            return Unspent(possible);
        }

        if (beforeSend is not null)
        {
            await beforeSend(cancellationToken);
        }

        var spent = await subscriptions.TransitionAsync(
            key,
            current =>
            {
                var (next, outcome) = (current?.Value ?? MessageSubscription.None(customerId, message.TemplateId)).Spend(sendKey);
                return outcome == SpendOutcome.Spent ? Decision.Write(next, outcome) : Decision.Keep<MessageSubscription, SpendOutcome>(outcome);
            },
            cancellationToken);
        if (spent != SpendOutcome.Spent)
        {
            return Unspent(spent);
        }

        try
        {
            await miniProgram.SendSubscribeMessageAsync(message, cancellationToken);
            return new MessageResult(MessageOutcome.Sent);
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.RefusedByUser || exception.OutcomeUnknown)
        {
            return new MessageResult(exception.OutcomeUnknown ? MessageOutcome.Unknown : MessageOutcome.RefusedByUser, exception.ErrorCode, exception.Message);
        }
        catch (WeChatException exception)
        {
            await subscriptions.UpdateAsync(key, key.ToString(), s => s.GiveBack(sendKey), CancellationToken.None);
            return new MessageResult(exception.Failure == WeChatFailure.Unavailable ? MessageOutcome.NotSent : MessageOutcome.Invalid, exception.ErrorCode, exception.Message);
        }
    }

    private static MessageResult Unspent(SpendOutcome outcome) =>
        new(outcome == SpendOutcome.AlreadySpent ? MessageOutcome.AlreadyDecided : MessageOutcome.NoConsent);

    private static DocumentKey Key(string customerId, string templateId) => new(customerId, templateId);

    private static SubscriptionView View(MessageSubscription s) => new(s.TemplateId, s.Available, s.Granted, s.Spent);
}
