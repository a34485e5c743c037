using FluentValidation;
using Mall.Domain.Common;
using Mall.Domain.Compliance;
using Mall.Domain.Distribution;

namespace Mall.Application.Distribution;

public sealed class DistributionOptions
{
    public const string SectionName = "Distribution";

    /// <summary>How long after an order completes its commission stays pending (the after-sale window).</summary>
    public int SettleAfterCompletionSeconds { get; set; } = 7 * 24 * 60 * 60;

    public TimeSpan SettleAfterCompletion => TimeSpan.FromSeconds(SettleAfterCompletionSeconds);
}

/// <param name="DeeperLevelsBps">
/// Levels beyond the third (level 4 first), so a policy can say it: any that pays is refused by the
/// compliance check (commission-depth-over-three, 禁止传销条例), so none is ever stored.
/// </param>
public sealed record CommissionRatesRequest(int? Level1Bps, int? Level2Bps, int? Level3Bps, IReadOnlyList<int>? DeeperLevelsBps = null)
{
    public const int MaxDeeperLevels = 7;

    /// <summary>The chain as compliance sees it, nearest level first; <paramref name="field"/> names these rates in the request.</summary>
    public CommissionSchedule Schedule(string field, int? totalCapBps) => new(
        field,
        [
            new CommissionLevel($"{field}.level1Bps", Level1Bps ?? 0),
            new CommissionLevel($"{field}.level2Bps", Level2Bps ?? 0),
            new CommissionLevel($"{field}.level3Bps", Level3Bps ?? 0),
            .. (DeeperLevelsBps ?? []).Select((bps, i) => new CommissionLevel($"{field}.deeperLevelsBps[{i}]", bps)),
        ],
        totalCapBps);
}

public sealed record CommissionPolicyRequest(CommissionRatesRequest? Rates, int? TotalCapBps, bool? SelfPurchaseCounts, IReadOnlyDictionary<string, CommissionRatesRequest>? ProductRates)
{
    public const string PolicyId = "current";

    /// <summary>The default rates and each product's override, each capped by the policy's total cap.</summary>
    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.DistributionPolicy, PolicyId)
    {
        Commissions =
        [
            Rates!.Schedule("rates", TotalCapBps),
            .. (ProductRates ?? new Dictionary<string, CommissionRatesRequest>()).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Schedule($"productRates.{p.Key}", TotalCapBps)),
        ],
    };

    public CommissionPolicy ToPolicy() => new()
    {
        Rates = ToRates(Rates!),
        TotalCapBps = TotalCapBps!.Value,
        SelfPurchaseCounts = SelfPurchaseCounts ?? false,
        ProductRates = (ProductRates ?? new Dictionary<string, CommissionRatesRequest>()).ToDictionary(p => p.Key, p => ToRates(p.Value)),
    };

    private static CommissionRates ToRates(CommissionRatesRequest rates) => new(rates.Level1Bps!.Value, rates.Level2Bps!.Value, rates.Level3Bps!.Value);
}

public sealed class CommissionPolicyRequestValidator : AbstractValidator<CommissionPolicyRequest>
{
    public CommissionPolicyRequestValidator()
    {
        RuleFor(r => r.TotalCapBps).NotNull().InclusiveBetween(0, 10_000);
        RuleFor(r => r.Rates).NotNull();
        RuleFor(r => r.Rates!).SetValidator(r => new RatesValidator(r.TotalCapBps ?? 10_000)).When(r => r.Rates is not null);
        RuleForEach(r => r.ProductRates).ChildRules(product =>
            product.RuleFor(p => p.Value).NotNull().SetValidator(new RatesValidator(10_000)!)).When(r => r.ProductRates is not null);
        RuleFor(r => r.ProductRates).Must(p => p!.Count <= 1000).When(r => r.ProductRates is not null).WithMessage("At most 1000 product overrides.");
        RuleFor(r => r.ProductRates).Must(p => p!.Keys.All(Ids.IsWellFormed)).When(r => r.ProductRates is not null).WithMessage($"Each product id must be an id: {Ids.Rule}.");
    }

    /// <summary>Each level 0–100%; all three together within the cap.</summary>
    private sealed class RatesValidator : AbstractValidator<CommissionRatesRequest>
    {
        public RatesValidator(int capBps)
        {
            RuleFor(r => r.Level1Bps).NotNull().InclusiveBetween(0, 10_000);
            RuleFor(r => r.Level2Bps).NotNull().InclusiveBetween(0, 10_000);
            RuleFor(r => r.Level3Bps).NotNull().InclusiveBetween(0, 10_000);
            RuleFor(r => r.DeeperLevelsBps).Must(levels => levels!.Count <= CommissionRatesRequest.MaxDeeperLevels).When(r => r.DeeperLevelsBps is not null)
                .WithMessage($"At most {CommissionRatesRequest.MaxDeeperLevels} levels beyond the third.");
            RuleForEach(r => r.DeeperLevelsBps).InclusiveBetween(0, 10_000);
            RuleFor(r => (r.Level1Bps ?? 0) + (r.Level2Bps ?? 0) + (r.Level3Bps ?? 0)).LessThanOrEqualTo(capBps)
                .OverridePropertyName("level3Bps").WithMessage($"The three levels together may not exceed {capBps} bps.");
        }
    }
}

public sealed record WithdrawalRequest(long? AmountFen);

public sealed class WithdrawalRequestValidator : AbstractValidator<WithdrawalRequest>
{
    public WithdrawalRequestValidator() => RuleFor(r => r.AmountFen).NotNull().InclusiveBetween(WithdrawalBook.MinimumFen, 100_000_000);
}

public sealed record TeamCounts(int Level1, int Level2, int Level3);

public sealed record DistributionSummary(
    string InviteCode,
    PromoterStatus? PromoterStatus,
    TeamCounts Team,
    long PendingFen,
    long SettledFen,
    long WithdrawnFen,
    long WithdrawableFen,
    IReadOnlyList<WithdrawalView> Withdrawals);

/// <summary>A withdrawal as the promoter and operators see it: where the payout goes (the payee's openid) stays with WeChat Pay.</summary>
public sealed record WithdrawalView(string Id, long AmountFen, WithdrawalStatus Status, DateTimeOffset RequestedAt, DateTimeOffset? DecidedAt)
{
    public static WithdrawalView Of(Withdrawal withdrawal) => new(withdrawal.Id, withdrawal.AmountFen, withdrawal.Status, withdrawal.RequestedAt, withdrawal.DecidedAt);
}

/// <summary>The saved policy as answered, with the compliance warnings it drew (SPEC §4.10: a third level, a total above the payout channel's cap).</summary>
public sealed record SavedCommissionPolicy(
    CommissionRates Rates,
    int TotalCapBps,
    bool SelfPurchaseCounts,
    IReadOnlyDictionary<string, CommissionRates> ProductRates,
    IReadOnlyList<ComplianceFinding> ComplianceWarnings)
{
    public SavedCommissionPolicy(CommissionPolicy policy, IReadOnlyList<ComplianceFinding> warnings)
        : this(policy.Rates, policy.TotalCapBps, policy.SelfPurchaseCounts, policy.ProductRates, warnings)
    {
    }
}

/// <summary>Index row: <c>CustomerId</c> is in the team of the partition's promoter at <c>Level</c>.</summary>
public sealed record ReferralEntry(string CustomerId, int Level, DateTimeOffset JoinedAt);

/// <summary>Where an order's commission stands, for the settlement orchestration. Status null: the order earns none.</summary>
public sealed record CommissionProgress(CommissionStatus? Status, DateTimeOffset? SettleAt);

public sealed record ReconciliationReport(int Promoters, int Orders, IReadOnlyList<string> Mismatches)
{
    public bool Balanced => Mismatches.Count == 0;
}
