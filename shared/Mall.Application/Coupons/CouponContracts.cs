using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Domain.Compliance;
using Mall.Domain.Coupons;

namespace Mall.Application.Coupons;
public sealed record CouponTemplateRequest
{
    public string? Name { get; init; }

    public CouponKind? Kind { get; init; }

    public long? AmountFen { get; init; }

    public long? MinimumSpendFen { get; init; }

    public int? PercentOffBps { get; init; }

    public long? MaxDiscountFen { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }

    public int? ValidDaysAfterClaim { get; init; }

    public int? PerCustomerLimit { get; init; }

    public int? TotalQuota { get; init; }

    public bool? Claimable { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.Coupon, null) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.Coupon) };
}

public sealed class CouponTemplateRequestValidator : AbstractValidator<CouponTemplateRequest>
{
    public CouponTemplateRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(40);
        RuleFor(r => r.Kind).NotNull().IsInEnum();
        RuleFor(r => r.AmountFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen)
            .When(r => r.Kind is CouponKind.FixedAmount or CouponKind.Threshold);
        RuleFor(r => r.MinimumSpendFen).NotNull().GreaterThan(r => r.AmountFen ?? 0).When(r => r.Kind == CouponKind.Threshold)
            .WithMessage("A threshold coupon needs a minimum spend above its amount.");
        RuleFor(r => r.MinimumSpendFen).InclusiveBetween(0, ProductRequestValidator.MaxPriceFen).When(r => r.MinimumSpendFen is not null);
        RuleFor(r => r.PercentOffBps).NotNull().InclusiveBetween(1, 9_999).When(r => r.Kind == CouponKind.Percentage);
        RuleFor(r => r.MaxDiscountFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen).When(r => r.Kind == CouponKind.Percentage);
        RuleFor(r => r.ValidUntil).NotNull().When(r => r.ValidDaysAfterClaim is null).WithMessage("Give validUntil or validDaysAfterClaim.");
        RuleFor(r => r.ValidUntil).GreaterThan(r => r.ValidFrom ?? DateTimeOffset.MinValue).When(r => r.ValidUntil is not null).WithMessage("Must be after validFrom.");
        RuleFor(r => r.ValidDaysAfterClaim).InclusiveBetween(1, 3650).When(r => r.ValidDaysAfterClaim is not null);
        RuleFor(r => r.PerCustomerLimit).NotNull().InclusiveBetween(1, 100);
        RuleFor(r => r.TotalQuota).NotNull().InclusiveBetween(1, 10_000_000);
        RuleFor(r => r.UnlockedBy).IsInEnum();
    }
}

public sealed record CouponView(string Id, string TemplateId, string Name, CouponKind Kind, CouponStatus Status, long AmountFen, long MinimumSpendFen, int PercentOffBps, long MaxDiscountFen, DateTimeOffset ValidFrom, DateTimeOffset ValidUntil, string? UsedByOrderId);

public sealed record TemplateView(CouponTemplate Template, long Issued);
