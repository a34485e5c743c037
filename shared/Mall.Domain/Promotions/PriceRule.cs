using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Promotions;

/// <summary>
/// A limited-time discount 限时折扣 (or the monthly member day): a percentage off the listed price of
/// some products (all when none are named) within a window, optionally for members of a tier and up.
/// </summary>
public sealed record PriceRule
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>What the customer pays, in basis points of the listed price (8000 = 20% off).</summary>
    public required int PriceBps { get; init; }

    public IReadOnlyList<string> ProductIds { get; init; } = [];

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    public MemberTier MinimumTier { get; init; } = MemberTier.None;

    /// <summary>Only for customers in this segment (e.g. a new-user price for Potential customers); null: everyone.</summary>
    public CustomerSegment? Segment { get; init; }

    /// <summary>This campaign's own gift option at checkout, replacing the mall's default while it runs.</summary>
    public GiftOption? Gift { get; init; }

    /// <summary>
    /// The calendar campaign that created it as its own discount (null: an operator's rule). Only that
    /// campaign withdraws it; another campaign cannot link it (it gets a rule of its own instead).
    /// </summary>
    public string? CampaignId { get; init; }

    /// <summary>When it was withdrawn (its calendar campaign cancelled): it no longer applies.</summary>
    public DateTimeOffset? WithdrawnAt { get; init; }

    public bool IsActive(DateTimeOffset now) => WithdrawnAt is null && now >= StartsAt && now < EndsAt;

    public bool Covers(string productId, MemberTier tier, CustomerSegment? segment, DateTimeOffset now) =>
        IsActive(now) && tier >= MinimumTier && (Segment is null || Segment == segment) && (ProductIds.Count == 0 || ProductIds.Contains(productId));

    /// <summary>The unit price under this rule: rounded down to the fen, never below one fen.</summary>
    public long PriceOf(long listPriceFen) => Math.Max(1, listPriceFen * PriceBps / 10_000);
}

/// <summary>
/// The optional extra at checkout (seed: a gift basket ticked by default). Only a free gift may be
/// ticked by default: China's E-commerce Law art. 19 forbids tie-in sales as a default choice, so a
/// paid add-on must be offered unticked and chosen explicitly (the compliance rule
/// paid-add-on-ticked-by-default, Compliance/ComplianceRules).
/// </summary>
public sealed record GiftOption(string Name, long PriceFen, bool SelectedByDefault);

/// <summary>A gift option as offered in a preview and whether this checkout takes it.</summary>
public sealed record GiftChoice(string Name, long PriceFen, bool Selected);

/// <summary>
/// The stacking rules (SPEC §4.6), in order: (1) per line, the single best price rule — limited-time
/// discounts and the member day never stack with each other; (2) at most one coupon, on the goods
/// after price rules (its threshold judged on that amount); (3) points, after the coupon and capped
/// at a share of what is left; (4) the gift option, outside every discount. Campaign orders (group
/// buy, presale) carry their campaign's price and take none of these.
/// </summary>
public static class PromotionRules
{
    /// <summary>Step 1: each item at its best price rule's price (the list price stays on the line).</summary>
    public static IReadOnlyList<PricedItem> ApplyPriceRules(IReadOnlyList<PricedItem> items, IReadOnlyList<PriceRule> rules, MemberTier tier, CustomerSegment? segment, DateTimeOffset now) =>
        items.Select(item =>
        {
            var best = rules.Where(r => r.Covers(item.ProductId, tier, segment, now)).MinBy(r => r.PriceOf(item.UnitPriceFen));
            return best is null || best.PriceOf(item.UnitPriceFen) >= item.UnitPriceFen
                ? item
                : item with { UnitPriceFen = best.PriceOf(item.UnitPriceFen), ListUnitPriceFen = item.UnitPriceFen, PriceRuleId = best.Id };
        }).ToList();

    /// <summary>The gift option that applies: the first campaign's own among those covering the basket, else the mall's default.</summary>
    public static GiftOption? GiftFor(IReadOnlyList<PriceRule> coveringRules, GiftOption? mallDefault) =>
        coveringRules.Select(r => r.Gift).FirstOrDefault(g => g is not null) ?? mallDefault;

    /// <summary>The customer's explicit choice, else the option's default.</summary>
    public static GiftChoice? Choose(GiftOption? option, bool? requested) =>
        option is null ? null : new GiftChoice(option.Name, option.PriceFen, requested ?? option.SelectedByDefault);
}
