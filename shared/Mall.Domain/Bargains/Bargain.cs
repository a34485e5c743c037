using Mall.Domain.Common;

namespace Mall.Domain.Bargains;

public enum BargainHelpResult
{
    /// <summary>The help cut the price (<see cref="BargainHelpOutcome.CutFen"/>).</summary>
    Cut,

    /// <summary>This helper already helped this bargain; nothing changes (a retry sees its own cut).</summary>
    AlreadyHelped,

    /// <summary>The price is at the floor: there is nothing left to cut.</summary>
    AtFloor,

    /// <summary>The time limit passed.</summary>
    Expired,

    /// <summary>The starter has ordered at the reached price.</summary>
    Ordered,

    /// <summary>The starter cannot help their own bargain.</summary>
    OwnBargain,
}

/// <summary>Where a bargain stands.</summary>
public enum BargainPhase
{
    /// <summary>Written, its campaign quota and budget being reserved; nobody sees it yet.</summary>
    Starting,

    /// <summary>Helps cut its price until the deadline; the starter may order (see <see cref="Bargain.OrderId"/>).</summary>
    Open,

    /// <summary>The starter's order at the reached price was paid: its budget reservation is spent.</summary>
    Paid,

    /// <summary>The deadline passed without a paid order: its budget reservation went back.</summary>
    Expired,

    /// <summary>Never opened (the campaign's quota or the day's budget was spent, or the mechanic switched off).</summary>
    Refused,
}

/// <summary>One helper's cut, in the order helps came.</summary>
public sealed record BargainHelp(string HelperId, long CutFen, DateTimeOffset At);

public sealed record BargainHelpOutcome(Bargain Bargain, BargainHelpResult Result, long CutFen);

/// <summary>The day's budget reservation of a bargain: its largest possible discount, against the CST day it started.</summary>
public sealed record BargainBudget(DateOnly Day, long AmountFen);

/// <summary>
/// A customer's bargain for one SKU (砍价): from the SKU's price down to a floor, before a deadline. Any
/// customer may help once, from any entry point (nothing requires a share); each help's cut comes from
/// <see cref="BargainCuts"/>, seeded by the bargain's id and the help's position, so the floor is reached
/// within <see cref="MaxHelps"/> helps and never passed. One document holds it all (at most
/// <see cref="MostHelps"/> helps), so each help is one guarded write and racing helps cannot go below the
/// floor or count a helper twice. The starter orders at the reached price before the deadline: one live
/// order at a time (helps stop while it lives); an order that lapses unpaid lets helps and ordering resume.
/// </summary>
public sealed record Bargain(
    string Id,
    string StarterId,
    string ProductId,
    string SkuId,
    long StartPriceFen,
    long FloorFen,
    int MaxHelps,
    DateTimeOffset StartedAt,
    DateTimeOffset Deadline)
{
    /// <summary>The bound on helps a bargain may be set to need: it keeps the document small.</summary>
    public const int MostHelps = 100;

    public string CampaignId { get; init; } = string.Empty;

    public BargainPhase Phase { get; init; } = BargainPhase.Open;

    /// <summary>Why it never opened; null unless <see cref="BargainPhase.Refused"/>.</summary>
    public ErrorCode? Refusal { get; init; }

    public BargainBudget? Budget { get; init; }

    public IReadOnlyList<BargainHelp> Helps { get; init; } = [];

    /// <summary>The starter's live (or paid) order at the reached price; null while there is none.</summary>
    public string? OrderId { get; init; }

    /// <summary>Orders placed so far: each gets its own id, so a lapsed order is never placed again.</summary>
    public int OrdersPlaced { get; init; }

    public long PriceFen => StartPriceFen - Helps.Sum(h => h.CutFen);

    public bool AtFloor => PriceFen <= FloorFen;

    /// <summary>The discount the bargain has reached so far.</summary>
    public long DiscountFen => StartPriceFen - PriceFen;

    /// <summary>The largest discount it can reach: what its budget reservation holds.</summary>
    public long GapFen => StartPriceFen - FloorFen;

    /// <summary>
    /// Checks what a new bargain must satisfy; null when it is fine, else the field (as a campaign names it) and why.
    /// The gap must hold a fen per help, so every help cuts something and the floor comes exactly at the last one.
    /// </summary>
    public static (string Field, string Message)? Problem(long startPriceFen, long floorFen, int maxHelps, DateTimeOffset startedAt, DateTimeOffset deadline) =>
        floorFen < 1 || floorFen >= startPriceFen ? ("floorFen", $"The floor must be at least 1 fen and below the price ({startPriceFen} fen).")
        : maxHelps is < 1 or > MostHelps ? ("helpsToFloor", $"A bargain needs between 1 and {MostHelps} helps to reach its floor.")
        : startPriceFen - floorFen < maxHelps ? ("floorFen", $"The price ({startPriceFen} fen) must be at least one fen per help ({maxHelps}) above the floor.")
        : deadline <= startedAt ? ("timeLimitHours", "The time limit must end after the bargain starts.")
        : null;

    /// <summary>The order id of the starter's next order: one per order placed, derived from the bargain.</summary>
    public string NextOrderId => Ids.Derive("O", Id, OrdersPlaced.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>One customer's help at <paramref name="now"/>: the transition and what it did.</summary>
    public BargainHelpOutcome Help(string helperId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(helperId);
        if (helperId == StarterId)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.OwnBargain, 0);
        }

        if (Helps.FirstOrDefault(h => h.HelperId == helperId) is { } earlier)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.AlreadyHelped, earlier.CutFen);
        }

        if (OrderId is not null || Phase == BargainPhase.Paid)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.Ordered, 0);
        }

        if (now >= Deadline || Phase != BargainPhase.Open)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.Expired, 0);
        }

        if (AtFloor || Helps.Count >= MaxHelps)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.AtFloor, 0);
        }

        var cut = BargainCuts.Cut(Id, Helps.Count + 1, PriceFen - FloorFen, MaxHelps);
        var helped = this with { Helps = [.. Helps, new BargainHelp(helperId, cut, now)] };
        return new BargainHelpOutcome(helped, BargainHelpResult.Cut, cut);
    }

    /// <summary>Its quota and budget are reserved: helps may come.</summary>
    public Bargain Open() => Phase == BargainPhase.Starting ? this with { Phase = BargainPhase.Open } : this;

    /// <summary>A reservation was refused before it opened; the refusal stays with it.</summary>
    public Bargain Refuse(ErrorCode why) => Phase == BargainPhase.Starting ? this with { Phase = BargainPhase.Refused, Refusal = why } : this;

    /// <summary>
    /// The starter orders at the reached price at <paramref name="now"/>: the bargain takes its next order id
    /// (helps stop while that order lives). With a live or paid order already, the same bargain comes back (the
    /// caller answers with that order). Refused for anyone but the starter, and after the deadline.
    /// </summary>
    public Bargain Order(string customerId, DateTimeOffset now)
    {
        if (customerId != StarterId)
        {
            throw new DomainException(ErrorCode.Forbidden, "Only the customer who started this bargain can order at its price.");
        }

        if (OrderId is not null)
        {
            return this;
        }

        if (Phase != BargainPhase.Open || now >= Deadline)
        {
            throw new DomainException(ErrorCode.BargainExpired, $"This bargain ended at {Deadline:O}; its price can no longer be ordered.");
        }

        return this with { OrderId = NextOrderId, OrdersPlaced = OrdersPlaced + 1 };
    }

    /// <summary>The order <paramref name="orderId"/> ended unpaid (cancelled, closed, never placed): helps and ordering resume.</summary>
    public Bargain OrderLapsed(string orderId) =>
        OrderId == orderId && Phase == BargainPhase.Open ? this with { OrderId = null } : this;

    /// <summary>The starter's order <paramref name="orderId"/> was paid: the bargain is done. Unchanged for any other order, or again.</summary>
    public Bargain Paid(string orderId) =>
        OrderId == orderId && Phase == BargainPhase.Open ? this with { Phase = BargainPhase.Paid } : this;

    /// <summary>At or after the deadline, an open bargain without a live order ends; otherwise unchanged.</summary>
    public Bargain Expire(DateTimeOffset now) =>
        Phase == BargainPhase.Open && OrderId is null && now >= Deadline ? this with { Phase = BargainPhase.Expired } : this;
}
