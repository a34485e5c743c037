using FluentValidation;
using Mall.Application.Compliance;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Compliance;
using Mall.Domain.Membership;
using Mall.Domain.Promotions;
using Mall.Domain.Segmentation;

namespace Mall.Application.Promotions;

public sealed class GiftOptionSettings
{
    /// <summary>Empty: no gift option at checkout.</summary>
    public string? Name { get; set; }

    public long PriceFen { get; set; }

    public bool SelectedByDefault { get; set; }

    public GiftOption? ToOption() => string.IsNullOrWhiteSpace(Name) ? null : new GiftOption(Name, PriceFen, SelectedByDefault);
}

public sealed class PromotionOptions
{
    public const string SectionName = "Promotions";

    /// <summary>The mall's default gift option; a running limited-time discount may bring its own.</summary>
    public GiftOptionSettings Gift { get; set; } = new();

    /// <summary>Day of the CST month of the member day (1–28); 0: none.</summary>
    public int MemberDayOfMonth { get; set; } = 8;

    /// <summary>What members pay on the member day, in basis points of the listed price.</summary>
    public int MemberDayPriceBps { get; set; } = 9_000;

    public MemberTier MemberDayMinimumTier { get; set; } = MemberTier.Bronze;
}

public sealed record GiftOptionRequest(string? Name, long? PriceFen, bool? SelectedByDefault);

/// <param name="Segment">Only for customers of this segment (a new-user price for Potential); null: everyone.</param>
/// <param name="UnlockedBy">What gets a customer the price; share is refused (see <see cref="Compliance.UnlockedBy"/>).</param>
public sealed record PriceRuleRequest(string? Name, int? PriceBps, IReadOnlyList<string>? ProductIds, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt, MemberTier? MinimumTier, GiftOptionRequest? Gift, CustomerSegment? Segment = null, UnlockedBy? UnlockedBy = null)
{
    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.PriceRule, null)
    {
        Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut),
        PaidAddOns = Gift is { } gift ? [new PaidAddOnTerm("gift.selectedByDefault", gift.PriceFen ?? 0, gift.SelectedByDefault ?? false)] : [],
    };
}

public sealed class PriceRuleRequestValidator : AbstractValidator<PriceRuleRequest>
{
    public PriceRuleRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(64);
        RuleFor(r => r.PriceBps).NotNull().InclusiveBetween(100, 9_999).WithMessage("PriceBps is what the customer pays in basis points of the listed price: 100–9999 (8000 = 20% off).");
        RuleFor(r => r.ProductIds).Must(ids => ids is null || ids.Count <= 200).WithMessage("At most 200 products per rule.");
        RuleForEach(r => r.ProductIds).MustBeAnId();
        RuleFor(r => r.StartsAt).NotNull();
        RuleFor(r => r.MinimumTier).IsInEnum();
        RuleFor(r => r.Segment).IsInEnum();
        RuleFor(r => r.EndsAt).NotNull().GreaterThan(r => r.StartsAt).WithMessage("EndsAt must be after StartsAt.");
        RuleFor(r => r.EndsAt).Must((r, end) => end - r.StartsAt <= TimeSpan.FromDays(31)).When(r => r.StartsAt is not null && r.EndsAt is not null)
            .WithMessage("A limited-time discount lasts at most 31 days.");
        RuleFor(r => r.Gift!.Name).NotEmpty().MaximumLength(32).When(r => r.Gift is not null);
        RuleFor(r => r.Gift!.PriceFen).NotNull().InclusiveBetween(0, 100_000).When(r => r.Gift is not null);
        RuleFor(r => r.UnlockedBy).IsInEnum();
    }
}

/// <summary>Limited-time discounts (operator-defined price rules) and the monthly member day.</summary>
public sealed class PromotionService(IDocumentCollection<PriceRule> rules, PromotionOptions options, TimeProvider time)
{
    /// <summary>Rules live in a partition per month they end in, so looking for running ones reads only recent months.</summary>
    private static string PartitionOf(DateTimeOffset endsAt) => endsAt.UtcDateTime.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);

    public Task<PriceRule> CreateRuleAsync(PriceRuleRequest request, CancellationToken cancellationToken) =>
        CreateRuleAsync(request, Ids.New("PR"), cancellationToken);

    /// <summary>
    /// Creates a rule under an id the caller derived (a campaign's), so a retry finds the rule instead of
    /// adding another (the rule found is returned as it is). <paramref name="withdrawnAt"/> inserts it
    /// already withdrawn: a cancelled campaign claims its rule's id that way, so a creation still under
    /// way finds it withdrawn instead of inserting a running one.
    /// </summary>
    public async Task<PriceRule> CreateRuleAsync(PriceRuleRequest request, string ruleId, CancellationToken cancellationToken, string? campaignId = null, DateTimeOffset? withdrawnAt = null)
    {
        var rule = new PriceRule
        {
            Id = ruleId,
            Name = request.Name!.Trim(),
            PriceBps = request.PriceBps!.Value,
            ProductIds = request.ProductIds?.Distinct(StringComparer.Ordinal).ToList() ?? [],
            StartsAt = request.StartsAt!.Value,
            EndsAt = request.EndsAt!.Value,
            MinimumTier = request.MinimumTier ?? MemberTier.None,
            Segment = request.Segment,
            Gift = request.Gift is { } gift ? new GiftOption(gift.Name!.Trim(), gift.PriceFen!.Value, gift.SelectedByDefault ?? false) : null,
            CampaignId = campaignId,
            WithdrawnAt = withdrawnAt,
        };
        try
        {
            await rules.InsertAsync(new DocumentKey(PartitionOf(rule.EndsAt), rule.Id), rule, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return (await rules.FindAsync(new DocumentKey(PartitionOf(rule.EndsAt), rule.Id), cancellationToken))?.Value ?? throw new DomainException(ErrorCode.Busy, "Being created concurrently; please retry.");
        }

        return rule;
    }

    /// <summary>A rule by id, wherever it is stored (null: no such rule).</summary>
    public async Task<PriceRule?> FindRuleAsync(string ruleId, CancellationToken cancellationToken)
    {
        await foreach (var rule in rules.ScanAsync(new DocumentQuery { RowKeyPrefix = ruleId }, 100, cancellationToken))
        {
            if (rule.Value.Id == ruleId)
            {
                return rule.Value;
            }
        }

        return null;
    }

    /// <summary>Withdraws a rule that should not run after all (its campaign was cancelled): it never applies again.</summary>
    public Task<PriceRule> WithdrawRuleAsync(PriceRule rule, CancellationToken cancellationToken) =>
        rules.UpdateAsync(
            new DocumentKey(PartitionOf(rule.EndsAt), rule.Id),
            $"Price rule {rule.Id}",
            r => r.WithdrawnAt is null ? r with { WithdrawnAt = time.GetUtcNow() } : r,
            cancellationToken);

    /// <summary>Rules still running or ended within the last <paramref name="days"/> (whole months), newest start first.</summary>
    public Task<IReadOnlyList<PriceRule>> ListAsync(int days, CancellationToken cancellationToken) =>
        EndingFromAsync(time.GetUtcNow().AddDays(-days), cancellationToken);

    /// <summary>The rules running now, the member day's included when today is the day.</summary>
    public async Task<IReadOnlyList<PriceRule>> ActiveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var active = (await EndingFromAsync(now, cancellationToken)).Where(r => r.IsActive(now)).ToList();
        if (MemberDay(now) is { } memberDay)
        {
            active.Add(memberDay);
        }

        return active;
    }

    public GiftOption? DefaultGift => options.Gift.ToOption();

    private async Task<IReadOnlyList<PriceRule>> EndingFromAsync(DateTimeOffset endingFrom, CancellationToken cancellationToken)
    {
        var found = new List<PriceRule>();
        await foreach (var rule in rules.ScanAsync(new DocumentQuery { PartitionKeyFrom = PartitionOf(endingFrom) }, 1000, cancellationToken))
        {
            found.Add(rule.Value);
        }

        return found.OrderByDescending(r => r.StartsAt).ToList();
    }

    private PriceRule? MemberDay(DateTimeOffset now)
    {
        var today = ChinaTime.DateOf(now);
        if (options.MemberDayOfMonth == 0 || today.Day != options.MemberDayOfMonth)
        {
            return null;
        }

        return new PriceRule
        {
            Id = $"member-day-{today:yyyy-MM}",
            Name = "会员日 member day",
            PriceBps = options.MemberDayPriceBps,
            StartsAt = ChinaTime.StartOf(today),
            EndsAt = ChinaTime.StartOf(today.AddDays(1)),
            MinimumTier = options.MemberDayMinimumTier,
        };
    }
}
