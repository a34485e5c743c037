using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Compliance;
using Mall.Domain.GroupBuy;

namespace Mall.Application.GroupBuy;
public sealed record GroupBuyCampaignRequest
{
    public string? SkuId { get; init; }

    public long? GroupPriceFen { get; init; }

    public int? GroupSize { get; init; }

    public int? TimeLimitSeconds { get; init; }

    public int? MaxGroups { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.GroupBuy, null) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut) };
}

public sealed class GroupBuyCampaignRequestValidator : AbstractValidator<GroupBuyCampaignRequest>
{
    public const int DefaultGroupSize = 3;
    public const int DefaultTimeLimitSeconds = 24 * 60 * 60;

    public GroupBuyCampaignRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.GroupPriceFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen);
        RuleFor(r => r.GroupSize).InclusiveBetween(2, 50).When(r => r.GroupSize is not null);
        RuleFor(r => r.TimeLimitSeconds).InclusiveBetween(10, 7 * 24 * 60 * 60).When(r => r.TimeLimitSeconds is not null)
            .WithMessage("Between 10 seconds and 7 days.");
        RuleFor(r => r.MaxGroups).NotNull().InclusiveBetween(1, 1_000_000);
        RuleFor(r => r.UnlockedBy).IsInEnum();
        RuleFor(r => r.EndsAt).NotNull().GreaterThan(r => r.StartsAt ?? DateTimeOffset.MinValue).WithMessage("Must be after startsAt.");
    }
}

public sealed record OpenGroupRequest(string? CampaignId, AddressRequest? Address);

public sealed class OpenGroupRequestValidator : AbstractValidator<OpenGroupRequest>
{
    public OpenGroupRequestValidator()
    {
        RuleFor(r => r.CampaignId).NotEmpty().MustBeAnId();
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public sealed record GroupOrderRequest(AddressRequest? Address);

public sealed class GroupOrderRequestValidator : AbstractValidator<GroupOrderRequest>
{
    public GroupOrderRequestValidator()
    {
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public sealed record GroupMemberView(string Member, SeatStatus Status, bool IsLeader, bool IsYou);

public sealed record GroupView(
    string Id,
    string CampaignId,
    string SkuId,
    long GroupPriceFen,
    GroupStatus Status,
    int Size,
    int Paid,
    int SeatsLeft,
    DateTimeOffset Deadline,
    IReadOnlyList<GroupMemberView> Members);

/// <summary>The customer's step in a group: the group as it now stands and the order to pay.</summary>
public sealed record GroupOrderResult(GroupView Group, OrderView Order);

/// <summary>The orchestration's input: everything it needs to decide, fixed when the group opens.</summary>
public sealed record GroupBuyProcessInput(string GroupId, DateTimeOffset Deadline);

public sealed record GroupBuyProcessResult(string GroupId, GroupStatus Status, int RefundedOrders);
