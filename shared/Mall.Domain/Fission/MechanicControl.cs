namespace Mall.Domain.Fission;

/// <summary>
/// The social-fission mechanics (SPEC §4.11) an operator can switch off or cap: WeChat may judge any of
/// them as inducing shares, so each must be stoppable at once, and none may spend without a daily limit.
/// </summary>
public enum FissionMechanic
{
    /// <summary>砍价: friends help cut a price down to a floor.</summary>
    Bargains,

    /// <summary>集卡: cards earned from tasks; a full set redeems a reward.</summary>
    CardCollecting,

    /// <summary>阶梯奖励: rewards for inviting new paying customers.</summary>
    ShareRewards,
}

/// <summary>An operator's setting for one mechanic: whether it runs, and what it may spend per CST day.</summary>
/// <param name="DailyBudgetFen">What the mechanic may give away per CST day (price cut, reward value), reserved when promised.</param>
public sealed record MechanicControl(bool Enabled, long DailyBudgetFen, string? ChangedBy, DateTimeOffset? ChangedAt)
{
    public const long MaxDailyBudgetFen = 100_000_000_00;
}
