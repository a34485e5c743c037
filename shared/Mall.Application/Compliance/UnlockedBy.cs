using Mall.Domain.Compliance;

namespace Mall.Application.Compliance;

/// <summary>
/// What a customer must do to get what a campaign offers, as a save may state it (<c>unlockedBy</c>).
/// Buying is how every offer of the mall works; <see cref="Share"/> (share to a chat, a group or Moments
/// first) is accepted only so the compliance check can refuse it by name (reward-conditioned-on-sharing),
/// so it is never stored.
/// </summary>
public enum UnlockedBy
{
    Purchase,
    Share,
}

public static class UnlockedByTerms
{
    public const string Field = "unlockedBy";

    /// <summary>The reward a save's <c>unlockedBy</c> states, if it states one.</summary>
    public static IReadOnlyList<RewardTerm> Rewards(UnlockedBy? unlockedBy, RewardForm form) => unlockedBy switch
    {
        UnlockedBy.Share => [new RewardTerm(Field, form, RewardCondition.ShareAct)],
        UnlockedBy.Purchase => [new RewardTerm(Field, form, RewardCondition.Purchase)],
        _ => [],
    };
}
