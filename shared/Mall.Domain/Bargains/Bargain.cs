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
}

/// <summary>One helper's cut, in the order helps came.</summary>
public sealed record BargainHelp(string HelperId, long CutFen, DateTimeOffset At);

public sealed record BargainHelpOutcome(Bargain Bargain, BargainHelpResult Result, long CutFen);

/// <summary>
/// A customer's bargain for one SKU (砍价): from the SKU's price down to a floor, before a deadline. Any
/// customer may help once, from any entry point (nothing requires a share); each help's cut comes from
/// <see cref="BargainCuts"/>, seeded by the bargain's id and the help's position, so the floor is reached
/// within <see cref="MaxHelps"/> helps and never passed. One document holds it all (at most
/// <see cref="MostHelps"/> helps), so each help is one guarded write and racing helps cannot go below the
/// floor or count a helper twice.
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

    public IReadOnlyList<BargainHelp> Helps { get; init; } = [];

    public string? OrderId { get; init; }

    public long PriceFen => StartPriceFen - Helps.Sum(h => h.CutFen);

    public bool AtFloor => PriceFen <= FloorFen;

    /// <summary>Checks what a new bargain must satisfy; null when it is fine, else the field and why.</summary>
    public static (string Field, string Message)? Problem(long startPriceFen, long floorFen, int maxHelps, DateTimeOffset startedAt, DateTimeOffset deadline) =>
        floorFen < 1 || floorFen >= startPriceFen ? ("floorFen", "The floor must be at least 1 fen and below the price.")
        : maxHelps is < 1 or > MostHelps ? ("maxHelps", $"A bargain needs between 1 and {MostHelps} helps to reach its floor.")
        : deadline <= startedAt ? ("deadline", "The time limit must end after the bargain starts.")
        : null;

    /// <summary>One customer's help at <paramref name="now"/>: the transition and what it did.</summary>
    public BargainHelpOutcome Help(string helperId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(helperId);
        if (Helps.FirstOrDefault(h => h.HelperId == helperId) is { } earlier)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.AlreadyHelped, earlier.CutFen);
        }

        if (OrderId is not null)
        {
            return new BargainHelpOutcome(this, BargainHelpResult.Ordered, 0);
        }

        if (now >= Deadline)
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
}
