using Mall.Application.Platform;
using Mall.Domain.Reactivation;

namespace Mall.Application.Reactivation;

public sealed class ReactivationOptions
{
    public const string SectionName = "Reactivation";

    /// <summary>The wake-up coupon template; empty: no coupon.</summary>
    public string? CouponTemplateId { get; set; }

    /// <summary>The subscribe-message template of the recall message; empty: no message.</summary>
    public string? MessageTemplateId { get; set; }

    public string MessagePage { get; set; } = "pages/index/index";

    /// <summary>The template key the text fills.</summary>
    public const string MessageTextKey = "thing1";

    /// <summary>The recall text: a WeChat <c>thing</c> value, so at most 20 characters (checked at start).</summary>
    public string MessageText { get; set; } = "好久不见，回归礼券已放入您的账户";

    public int ContactIntervalDays { get; set; } = 30;

    public int ReturnWindowDays { get; set; } = 30;

    /// <summary>Subscribe messages per second, below WeChat's send limits.</summary>
    public double MessagesPerSecond { get; set; } = 20;

    public int PageSize { get; set; } = 200;

    public int Concurrency { get; set; } = 8;

    public WakeUpRules ToRules() => new() { ContactIntervalDays = ContactIntervalDays, ReturnWindowDays = ReturnWindowDays };
}

/// <summary>One day's wake-up run (keyed by CST date), checkpointed after every page so a crash resumes.</summary>
public sealed record ReactivationRun : IDailyRun
{
    public required DateOnly Day { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? ContinuationToken { get; init; }

    /// <summary>Dormant customers read.</summary>
    public int Dormant { get; init; }

    public int Contacted { get; init; }

    /// <summary>Left alone: contacted within the interval, or no longer dormant.</summary>
    public int Skipped { get; init; }

    public int CouponsIssued { get; init; }

    public int MessagesSent { get; init; }

    /// <summary>Contacted without a message: no unused subscription to the template, at the mall or at WeChat (43101).</summary>
    public int NoConsent { get; init; }

    /// <summary>Not sent: WeChat unavailable, or the message breaks its rules (the subscription is kept either way).</summary>
    public int MessagesFailed { get; init; }
}

public enum WakeUpMessage
{
    NotConfigured,
    Sent,
    NoConsent,

    /// <summary>WeChat was unavailable and did not send it.</summary>
    Failed,

    /// <summary>An interrupted attempt, or one whose answer was lost, spent the subscription: sent or lost then, never repeated.</summary>
    Interrupted,

    /// <summary>WeChat says the customer refused the template (43101).</summary>
    RefusedByUser,

    /// <summary>The message breaks WeChat's template rules (say, a wake-up text over 20 characters): not sent.</summary>
    Invalid,
}

/// <summary>One customer contacted on one day (partition: the day), and whether they came back.</summary>
public sealed record WakeUpContact(string CustomerId, DateOnly Day, DateTimeOffset ContactedAt, bool CouponIssued, WakeUpMessage Message)
{
    /// <summary>WeChat's errcode when the message was not delivered and WeChat answered one.</summary>
    public string? MessageCode { get; init; }

    public DateTimeOffset? ReturnedAt { get; init; }

    public string? ReturnOrderId { get; init; }
}

/// <summary>Contacts over a period and how many came back within the window (the seed's target: ≥ 18%).</summary>
public sealed record ReactivationReport(int Contacted, int MessagesSent, int Returned, double? Rate, double Target, IReadOnlyList<ReactivationRun> Runs);
