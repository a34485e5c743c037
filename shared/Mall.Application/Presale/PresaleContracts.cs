using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Compliance;
using Mall.Domain.Presale;

namespace Mall.Application.Presale;
public sealed record PresaleCampaignRequest
{
    public string? SkuId { get; init; }

    public long? DepositFen { get; init; }

    public long? DepositValueFen { get; init; }

    public long? FinalPriceFen { get; init; }

    public DateTimeOffset? DepositStartsAt { get; init; }

    public DateTimeOffset? DepositEndsAt { get; init; }

    public DateTimeOffset? BalanceStartsAt { get; init; }

    public DateTimeOffset? BalanceEndsAt { get; init; }

    public bool? DepositRefundable { get; init; }

    public string? ReminderTemplateId { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    /// <summary>The deposit inflation 定金膨胀 is the reward: what a paid deposit is worth beyond its price.</summary>
    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.Presale, null) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut) };
}

public sealed class PresaleCampaignRequestValidator : AbstractValidator<PresaleCampaignRequest>
{
    public PresaleCampaignRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.DepositFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen);
        RuleFor(r => r.DepositValueFen).NotNull().GreaterThanOrEqualTo(r => r.DepositFen ?? 0).WithMessage("The deposit must be worth at least what it costs.");
        RuleFor(r => r.FinalPriceFen).NotNull().GreaterThan(r => r.DepositValueFen ?? 0).LessThanOrEqualTo(ProductRequestValidator.MaxPriceFen)
            .WithMessage("The final price must exceed the deposit's value, so there is a balance to pay.");
        RuleFor(r => r.DepositStartsAt).NotNull();
        RuleFor(r => r.UnlockedBy).IsInEnum();
        RuleFor(r => r.DepositEndsAt).NotNull().GreaterThan(r => r.DepositStartsAt).WithMessage("Must be after depositStartsAt.");
        RuleFor(r => r.BalanceStartsAt).NotNull().GreaterThanOrEqualTo(r => r.DepositEndsAt).WithMessage("The balance window starts when the deposit window has ended.");
        RuleFor(r => r.BalanceEndsAt).NotNull().GreaterThan(r => r.BalanceStartsAt).WithMessage("Must be after balanceStartsAt.");
        RuleFor(r => r.DepositRefundable).NotNull();
        RuleFor(r => r.ReminderTemplateId).MustBeAnId();
    }
}

public sealed record ReservePresaleRequest(string? CampaignId, AddressRequest? Address);

public sealed class ReservePresaleRequestValidator : AbstractValidator<ReservePresaleRequest>
{
    public ReservePresaleRequestValidator()
    {
        RuleFor(r => r.CampaignId).NotEmpty().MustBeAnId();
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public sealed record BalanceRequest(AddressRequest? Address);

public sealed class BalanceRequestValidator : AbstractValidator<BalanceRequest>
{
    public BalanceRequestValidator()
    {
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public sealed record PresaleView(
    string Id,
    string CampaignId,
    PresaleStatus Status,
    long DepositFen,
    long DepositValueFen,
    long FinalPriceFen,
    long BalanceFen,
    DateTimeOffset BalanceStartsAt,
    DateTimeOffset BalanceEndsAt,
    bool DepositRefundable,
    string DepositOrderId,
    string? BalanceOrderId);

public sealed record PresaleOrderResult(PresaleView Presale, OrderView Order);

public sealed record PresaleProcessInput(string ReservationId, DateTimeOffset BalanceStartsAt, DateTimeOffset BalanceEndsAt);
