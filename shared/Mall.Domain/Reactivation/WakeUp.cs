namespace Mall.Domain.Reactivation;

/// <summary>When a dormant customer was last contacted by the wake-up campaign (CST day and instant).</summary>
public sealed record WakeUpMark(DateOnly Day, DateTimeOffset At);

public enum WakeUpStep
{
    /// <summary>Contact the customer today (now marked).</summary>
    Start,

    /// <summary>Already marked today by a run that did not finish: finish the contact, do not repeat it.</summary>
    Resume,

    /// <summary>Contacted within the interval; leave alone.</summary>
    TooSoon,

    /// <summary>No longer dormant (came back since the list was read).</summary>
    NotDormant,
}

/// <summary>The wake-up rules of SPEC §4.4: at most one contact per interval; a return within the window counts (defaults in ReactivationOptions).</summary>
public sealed record WakeUpRules
{
    public required int ContactIntervalDays { get; init; }

    public required int ReturnWindowDays { get; init; }

    public WakeUpStep Decide(WakeUpMark? last, bool dormant, DateOnly day, DateTimeOffset now)
    {
        if (last?.Day == day)
        {
            return WakeUpStep.Resume;
        }

        if (!dormant)
        {
            return WakeUpStep.NotDormant;
        }

        return last is not null && now - last.At < TimeSpan.FromDays(ContactIntervalDays) ? WakeUpStep.TooSoon : WakeUpStep.Start;
    }

    /// <summary>
    /// A payment counts as a reactivation when it comes after the contact and within the window.
    /// WeChat reports payment times to the second, so the contact's instant is compared at that precision.
    /// </summary>
    public bool IsReturn(WakeUpMark? last, DateTimeOffset paidAt)
    {
        if (last is null)
        {
            return false;
        }

        var contacted = last.At.AddTicks(-(last.At.UtcTicks % TimeSpan.TicksPerSecond));
        return paidAt >= contacted && paidAt < last.At + TimeSpan.FromDays(ReturnWindowDays);
    }
}
