using Mall.Domain.Common;

namespace Mall.Domain.CardCollecting;

public enum FulfilmentStatus
{
    /// <summary>To be shipped by an operator.</summary>
    Pending,

    Shipped,

    /// <summary>A refund broke the set before the gift was shipped: it is not sent.</summary>
    Cancelled,
}

/// <summary>
/// A physical gift a redeemed set won, for operators to ship (its id is the redemption's). Shipped or
/// cancelled once: whichever of an operator's shipping and a refund's cancel comes first stands.
/// </summary>
/// <param name="ProtectedAddress">Where to send it, encrypted (personal data).</param>
public sealed record CardFulfilment(string Id, string CampaignId, string CustomerId, string GiftName, long CostFen, string ProtectedAddress, DateTimeOffset CreatedAt)
{
    public FulfilmentStatus Status { get; init; } = FulfilmentStatus.Pending;

    public string? Carrier { get; init; }

    public string? TrackingNumber { get; init; }

    public string? ShippedBy { get; init; }

    public DateTimeOffset? ShippedAt { get; init; }

    public DateTimeOffset? CancelledAt { get; init; }

    /// <summary>The operator sent it; the same shipment again is a no-op.</summary>
    /// <exception cref="DomainException">Cancelled, or shipped with another parcel.</exception>
    public CardFulfilment Ship(string carrier, string trackingNumber, string operatorId, DateTimeOffset now)
    {
        if (Status == FulfilmentStatus.Shipped && Carrier == carrier && TrackingNumber == trackingNumber)
        {
            return this;
        }

        if (Status != FulfilmentStatus.Pending)
        {
            throw new DomainException(ErrorCode.Conflict, Status == FulfilmentStatus.Cancelled
                ? $"Fulfilment {Id} is cancelled: a refund broke the card set before the gift was shipped."
                : $"Fulfilment {Id} was shipped already ({Carrier} {TrackingNumber}).");
        }

        return this with { Status = FulfilmentStatus.Shipped, Carrier = carrier, TrackingNumber = trackingNumber, ShippedBy = operatorId, ShippedAt = now };
    }

    /// <summary>Not to be sent any more: cancelled unless it has been shipped.</summary>
    public CardFulfilment Cancel(DateTimeOffset now) => Status == FulfilmentStatus.Pending ? this with { Status = FulfilmentStatus.Cancelled, CancelledAt = now } : this;
}
