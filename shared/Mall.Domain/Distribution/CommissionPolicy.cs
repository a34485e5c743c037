namespace Mall.Domain.Distribution;

/// <summary>Commission rates per referral level, in basis points of the commissionable amount.</summary>
public sealed record CommissionRates(int Level1Bps, int Level2Bps, int Level3Bps)
{
    public int TotalBps => Level1Bps + Level2Bps + Level3Bps;

    public int ForLevel(int level) => level switch
    {
        1 => Level1Bps,
        2 => Level2Bps,
        3 => Level3Bps,
        _ => 0,
    };
}

/// <summary>
/// Three-tier distribution settings 三级分销: default rates (40% / 20% / 10%), per-product overrides,
/// a cap on the total, and whether a promoter's own purchases earn them level-1 commission.
/// </summary>
public sealed record CommissionPolicy
{
    public static readonly CommissionPolicy Default = new();

    public const int MaxLevels = 3;

    public CommissionRates Rates { get; init; } = new(4000, 2000, 1000);

    /// <summary>No order pays out more than this share of its commissionable amount, whatever the rates.</summary>
    public int TotalCapBps { get; init; } = 7000;

    public bool SelfPurchaseCounts { get; init; }

    public IReadOnlyDictionary<string, CommissionRates> ProductRates { get; init; } = new Dictionary<string, CommissionRates>();

    public CommissionRates RatesFor(string productId) => ProductRates.GetValueOrDefault(productId) ?? Rates;

    /// <summary>
    /// Who earns at which level, nearest first and never more than three: the buyer themself when
    /// self-purchase counts and they are a promoter, then their referrers.
    /// </summary>
    public IReadOnlyList<string> Beneficiaries(string buyerId, bool buyerIsPromoter, IReadOnlyList<string> referrers)
    {
        var chain = SelfPurchaseCounts && buyerIsPromoter ? [buyerId, .. referrers] : referrers.ToList();
        return chain.Take(MaxLevels).ToList();
    }
}

public enum PromoterStatus
{
    Applied,
    Approved,
    Rejected,
}

/// <summary>A customer who applied to earn commission 推广员; only approved promoters earn.</summary>
public sealed record Promoter(string CustomerId, PromoterStatus Status, DateTimeOffset AppliedAt)
{
    public DateTimeOffset? DecidedAt { get; init; }

    public Promoter Decide(bool approve, DateTimeOffset now) =>
        Status == PromoterStatus.Applied || (Status == PromoterStatus.Rejected && approve)
            ? this with { Status = approve ? PromoterStatus.Approved : PromoterStatus.Rejected, DecidedAt = now }
            : this;
}
