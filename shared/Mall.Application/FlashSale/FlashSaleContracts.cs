using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Compliance;
using Mall.Domain.FlashSale;

namespace Mall.Application.FlashSale;

public sealed class FlashSaleOptions
{
    public const string SectionName = "FlashSale";

    /// <summary>The daily slots (CST, "HH:mm") a flash sale may start at.</summary>
    public string[] Slots { get; set; } = ["09:00", "15:00", "21:00"];

    public int DefaultDurationMinutes { get; set; } = 60;

    /// <summary>How long a flash order waits for payment before its unit goes back to the sale (SPEC §4.3: 5 minutes).</summary>
    public int UnpaidMinutes { get; set; } = 5;

    /// <summary>How long an instance skips a shard it saw full (0: never). Refusals after a sell-out are answered from this.</summary>
    public int FullShardCacheMilliseconds { get; set; } = 1_000;

    /// <summary>How long an instance reuses a sale's definition and remaining count for the storefront.</summary>
    public int SaleCacheMilliseconds { get; set; } = 1_000;

    /// <summary>Reservation attempts a customer may make per minute, across all instances.</summary>
    public int ReservationsPerCustomerPerMinute { get; set; } = 10;

    public IReadOnlyList<TimeOnly> DailySlots() => Slots.Select(s => TimeOnly.ParseExact(s, "HH:mm", System.Globalization.CultureInfo.InvariantCulture)).ToList();
}

public sealed record FlashSaleRequest
{
    public string? SkuId { get; init; }

    public long? PriceFen { get; init; }

    public int? Quantity { get; init; }

    public int? PerCustomerLimit { get; init; }

    /// <summary>At one of the daily slots (CST).</summary>
    public DateTimeOffset? StartsAt { get; init; }

    public int? DurationMinutes { get; init; }

    /// <summary>How many entities hold the units (default from the quantity; 1 is the single-entity design, for comparison).</summary>
    public int? Shards { get; init; }

    public UnlockedBy? UnlockedBy { get; init; }

    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.FlashSale, null) { Rewards = UnlockedByTerms.Rewards(UnlockedBy, RewardForm.PriceCut) };
}

public sealed class FlashSaleRequestValidator : AbstractValidator<FlashSaleRequest>
{
    public FlashSaleRequestValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.PriceFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen);
        RuleFor(r => r.Quantity).NotNull().InclusiveBetween(1, FlashSaleSession.MaxQuantity);
        RuleFor(r => r.PerCustomerLimit).InclusiveBetween(1, 100);
        RuleFor(r => r.StartsAt).NotNull().Must(d => d!.Value.Year is >= 2000 and <= 2999).When(r => r.StartsAt is not null).WithMessage("Must be a date in the years 2000–2999.");
        RuleFor(r => r.DurationMinutes).InclusiveBetween(1, 24 * 60);
        RuleFor(r => r.UnlockedBy).IsInEnum();
        RuleFor(r => r.Shards).InclusiveBetween(1, FlashSaleSession.MaxShards)
            .LessThanOrEqualTo(r => r.Quantity ?? int.MaxValue).WithMessage("At most one shard per unit.")
            .GreaterThanOrEqualTo(r => ((r.Quantity ?? 0) + FlashSaleSession.MaxUnitsPerShard - 1) / FlashSaleSession.MaxUnitsPerShard)
            .WithMessage($"A shard holds at most {FlashSaleSession.MaxUnitsPerShard} units.");
    }
}

public sealed record FlashReservationRequest(AddressRequest? Address);

public sealed class FlashReservationRequestValidator : AbstractValidator<FlashReservationRequest>
{
    public FlashReservationRequestValidator()
    {
        RuleFor(r => r.Address).NotNull();
        RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
    }
}

/// <summary>
/// A flash sale as customers see it. <see cref="Remaining"/> is approximate: counted at most
/// <see cref="RemainingAsOf"/> ago (about a second), and units of unpaid orders come back when those expire.
/// </summary>
/// <param name="ReferencePriceFen">The SKU's own selling price now, shown struck through (a price it sells at, so truthful).</param>
public sealed record FlashSaleView(
    string Id,
    string ProductId,
    string SkuId,
    string Title,
    string SkuName,
    long PriceFen,
    long ReferencePriceFen,
    int Quantity,
    int Remaining,
    DateTimeOffset RemainingAsOf,
    int PerCustomerLimit,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    FlashSalePhase Phase);

/// <summary>A flash sale for the operator, with what it sold so far.</summary>
/// <param name="Held">Units taken by orders (paid or awaiting payment).</param>
public sealed record FlashSaleAdminView(FlashSaleSession Sale, FlashSalePhase Phase, int Remaining, int Held);
