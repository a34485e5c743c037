using FluentValidation;
using Mall.Application.Platform;
using Mall.Domain.Compliance;
using Mall.Domain.Sharing;

namespace Mall.Application.Sharing;

public sealed class SharingOptions
{
    public const string SectionName = "Sharing";

    /// <summary>How long a share link brings new customers to its sharer (its token expires then).</summary>
    public int LinkLifetimeDays { get; set; } = 7;

    /// <summary>The web landing path on the share domain; the token follows it ("https://{domain}/s/{token}").</summary>
    public string LandingPath { get; set; } = "/s/";
}

/// <summary>What a share link opens in the mini-program.</summary>
public enum ShareTargetKind
{
    Home,
    Product,
    Bargain,
    CardCampaign,
}

/// <param name="TargetId">The product, bargain or card campaign; none for the home page.</param>
/// <param name="CampaignId">The campaign the share belongs to, if any (reported with the share, never a condition of a reward).</param>
public sealed record ShareLinkRequest(ShareTargetKind? TargetKind, string? TargetId, string? CampaignId);

public sealed class ShareLinkRequestValidator : AbstractValidator<ShareLinkRequest>
{
    public ShareLinkRequestValidator()
    {
        RuleFor(r => r.TargetKind).NotNull().IsInEnum();
        RuleFor(r => r.TargetId).NotEmpty().When(r => r.TargetKind is not null and not ShareTargetKind.Home).MustBeAnId();
        RuleFor(r => r.TargetId).Null().When(r => r.TargetKind == ShareTargetKind.Home).WithMessage("The home page has no target id.");
        RuleFor(r => r.CampaignId).MustBeAnId();
    }
}

/// <param name="Path">The mini-program page to share (onShareAppMessage's path), carrying the token.</param>
/// <param name="Url">The web link on the active share domain, for outside WeChat's share cards; null while no domain is healthy.</param>
public sealed record ShareLinkView(string Token, string Path, string? Url, string? Domain, DateTimeOffset ExpiresAt);

/// <summary>Where a share link leads (what the landing page and the mini-program open).</summary>
public sealed record ShareTargetView(ShareTargetKind TargetKind, string? TargetId, string? CampaignId, string Path, DateTimeOffset ExpiresAt);

public sealed record ShareDomainsRequest(IReadOnlyList<string>? Hosts);

public sealed class ShareDomainsRequestValidator : AbstractValidator<ShareDomainsRequest>
{
    public ShareDomainsRequestValidator()
    {
        RuleFor(r => r.Hosts).NotNull().Must(h => h is null || h.Count <= ShareDomainPool.MaxDomains).WithMessage($"At most {ShareDomainPool.MaxDomains} domains.")
            .Must(h => h is null || h.Distinct(StringComparer.Ordinal).Count() == h.Count).WithMessage("Each domain once.");
        RuleForEach(r => r.Hosts).NotEmpty().Must(h => h is not null && ShareDomainPool.IsHostName(h))
            .WithMessage("Must be a lower-case host name of the mall's own registered domain, e.g. s1.mall.example.cn (no scheme, port or path).");
    }
}

public sealed record ShareDomainMarkRequest(string? Host, ShareDomainStatus? Status, string? Reason);

public sealed class ShareDomainMarkRequestValidator : AbstractValidator<ShareDomainMarkRequest>
{
    public ShareDomainMarkRequestValidator()
    {
        RuleFor(r => r.Host).NotEmpty().MaximumLength(253);
        RuleFor(r => r.Status).NotNull().IsInEnum();
        RuleFor(r => r.Reason).MaximumLength(200);
    }
}

/// <param name="ActiveHost">Where new links point: the first healthy domain; null when none is.</param>
public sealed record ShareDomainsView(string? ActiveHost, IReadOnlyList<ShareDomain> Domains);

public sealed record ShareRewardTierRequest(int? Invitees, string? CouponTemplateId);

public sealed record ShareRewardProgramRequest
{
    public string? Name { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>What the tiers count; only newPayingCustomers passes the compliance check.</summary>
    public ShareCounting? Counts { get; init; }

    public IReadOnlyList<ShareRewardTierRequest>? Tiers { get; init; }

    /// <summary>Each tier's coupon, earned by new paying customers, or by shares themselves (refused: reward-conditioned-on-sharing).</summary>
    public CampaignTerms ComplianceTerms()
    {
        var forSharing = Counts is ShareCounting.Shares or ShareCounting.ShareVisits;
        return new(CampaignMechanic.ShareReward, null)
        {
            Rewards = (Tiers ?? []).Select((_, i) => forSharing
                ? new RewardTerm("counts", RewardForm.Coupon, RewardCondition.ShareAct)
                : new RewardTerm($"tiers[{i}]", RewardForm.Coupon, RewardCondition.NewPayingInvitee)).ToList(),
        };
    }
}

public sealed class ShareRewardProgramRequestValidator : AbstractValidator<ShareRewardProgramRequest>
{
    public ShareRewardProgramRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(32);
        RuleFor(r => r.StartsAt).NotNull();
        RuleFor(r => r.EndsAt).NotNull().GreaterThan(r => r.StartsAt).WithMessage("Must be after startsAt.");
        RuleFor(r => r.EndsAt).Must((r, end) => end - r.StartsAt <= TimeSpan.FromDays(366)).When(r => r.StartsAt is not null && r.EndsAt is not null)
            .WithMessage("A program runs at most 366 days.");
        RuleFor(r => r.Counts).IsInEnum();
        RuleFor(r => r.Tiers).NotEmpty().Must(t => t is null || t.Count <= ShareRewardProgram.MaxTiers).WithMessage($"Between 1 and {ShareRewardProgram.MaxTiers} tiers.")
            .Must(t => t is null || t.Select(x => x?.Invitees).Distinct().Count() == t.Count).WithMessage("Each tier needs its own number of invitees.");
        RuleForEach(r => r.Tiers).NotNull().ChildRules(tier =>
        {
            tier.RuleFor(t => t.Invitees).NotNull().InclusiveBetween(1, 10_000);
            tier.RuleFor(t => t.CouponTemplateId).NotEmpty().MustBeAnId();
        });
    }
}

public enum ShareTierStatus
{
    /// <summary>Not reached yet.</summary>
    Open,

    /// <summary>Reached; the reward waits for the mechanic to be on again or for the next day's budget.</summary>
    Waiting,

    Granted,
}

public sealed record ShareTierView(int Invitees, string CouponTemplateId, ShareTierStatus Status, string? CouponId);

/// <summary>A sharer's progress: new customers whose first paid order was kept past its after-sale window, those still in it, and the tiers.</summary>
public sealed record MyShareRewardsView(string? ProgramId, string? ProgramName, DateTimeOffset? EndsAt, long Credited, long Pending, IReadOnlyList<ShareTierView> Tiers);

/// <summary>A tier's reward as granted, kept for good (so it is granted once), or waiting for budget.</summary>
public sealed record ShareTierGrant(string ProgramId, string SharerId, int Invitees, string CouponTemplateId, string? CouponId, DateTimeOffset At);
