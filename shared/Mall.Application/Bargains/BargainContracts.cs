using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Bargains;
using Mall.Domain.Compliance;

namespace Mall.Application.Bargains;

/// <summary>Bargain defaults an operator may leave out of a campaign (SPEC §6: the seed's numbers are settings).</summary>
public sealed class BargainOptions
{
    public const string SectionName = "Bargains";

    /// <summary>Helps that bring a bargain to its floor when a campaign does not say (at most <see cref="Bargain.MostHelps"/>).</summary>
    public int DefaultHelpsToFloor { get; set; } = 10;

    /// <summary>A bargain's time limit when a campaign does not say.</summary>
    public int DefaultTimeLimitHours { get; set; } = 24;
}

public sealed record BargainCampaignRequest
{
    public string? SkuId { get; init; }

    public long? FloorFen { get; init; }

    public int? TimeLimitHours { get; init; }

    public int? HelpsToFloor { get; init; }

    public int? MaxBargains { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    /// <summary>Where helpers may come from; "anyEntry" when absent.</summary>
    public HelpEntry? HelpEntry { get; init; }

    /// <summary>The price cut friends' helps bring; refused when only a shared link lets friends help (reward-conditioned-on-sharing).</summary>
    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.Bargain, null)
    {
        Rewards = [new RewardTerm("helpEntry", RewardForm.PriceCut, RewardCondition.Help, HelpOnlyThroughShares: HelpEntry == Mall.Domain.Bargains.HelpEntry.SharedLinkOnly)],
    };
}

public sealed class BargainCampaignRequestValidator : AbstractValidator<BargainCampaignRequest>
{
    /// <summary>A week: the longest a bargain's budget reservation and its help list stay open.</summary>
    public const int MaxTimeLimitHours = 7 * 24;

    public BargainCampaignRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.FloorFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen);
        RuleFor(r => r.TimeLimitHours).InclusiveBetween(1, MaxTimeLimitHours).When(r => r.TimeLimitHours is not null);
        RuleFor(r => r.HelpsToFloor).InclusiveBetween(1, Bargain.MostHelps).When(r => r.HelpsToFloor is not null);
        RuleFor(r => r.MaxBargains).NotNull().InclusiveBetween(1, 1_000_000);
        RuleFor(r => r.StartsAt).Must(t => t!.Value.Year is >= 2000 and <= 2999).When(r => r.StartsAt is not null).WithMessage("Must be in the years 2000–2999.");
        RuleFor(r => r.EndsAt).NotNull();
        RuleFor(r => r.EndsAt).Must(t => t!.Value.Year is >= 2000 and <= 2999).WithMessage("Must be in the years 2000–2999.")
            .GreaterThan(r => r.StartsAt ?? DateTimeOffset.MinValue).WithMessage("Must be after startsAt.").When(r => r.EndsAt is not null);
        RuleFor(r => r.HelpEntry).IsInEnum();
    }
}

public sealed record StartBargainRequest(string? CampaignId);

public sealed class StartBargainRequestValidator : AbstractValidator<StartBargainRequest>
{
    public StartBargainRequestValidator() => RuleFor(r => r.CampaignId).NotEmpty().MustBeAnId();
}

public sealed record BargainOrderRequest(AddressRequest? Address);

public sealed class BargainOrderRequestValidator : AbstractValidator<BargainOrderRequest>
{
    public BargainOrderRequestValidator()
    {
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

public enum BargainStatus
{
    /// <summary>Helps are welcome until the deadline.</summary>
    Open,

    /// <summary>The starter placed an order at the reached price and has not paid yet: helps wait.</summary>
    Ordered,

    Paid,
    Expired,
}

/// <summary>
/// A bargain as anyone with its link sees it: the product, prices, how many helps it has and needs. No helper
/// and no starter is named; the viewer learns only their own part (their bargain, their cut).
/// </summary>
/// <param name="OrderId">The starter's order at this price: shown to the starter only.</param>
public sealed record BargainView(
    string Id,
    string CampaignId,
    string ProductId,
    string SkuId,
    string Title,
    string SkuName,
    long StartPriceFen,
    long PriceFen,
    long FloorFen,
    int Helps,
    int HelpsToFloor,
    DateTimeOffset Deadline,
    BargainStatus Status,
    bool IsYours,
    bool YouHelped,
    long? YourCutFen,
    string? OrderId);

/// <param name="Created">False when the customer's open bargain of the campaign came back (a retry).</param>
public sealed record BargainStartResult(BargainView Bargain, bool Created);

/// <summary>A help that counted: its cut (a retry by the same helper sees the same cut, as "alreadyHelped").</summary>
public sealed record BargainHelpAnswer(BargainHelpResult Result, long CutFen, BargainView Bargain);

/// <param name="Created">False when the bargain's live order came back (a retry).</param>
public sealed record BargainOrderResult(OrderView Order, bool Created);

public sealed record BargainCampaignPage(IReadOnlyList<BargainCampaign> Items, string? ContinuationToken);

/// <summary>Customers' own start of a bargain in a campaign: which attempt is theirs now (one open bargain each).</summary>
public sealed record BargainStarter(int Attempt);
