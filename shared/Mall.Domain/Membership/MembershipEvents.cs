using Mall.Domain.Common;

namespace Mall.Domain.Membership;

/// <summary>The points an order earns its customer changed: earned at payment, or partly taken back by a refund.</summary>
/// <param name="Key">The change's identity: "O1|earned", or "O1|reversed-4000" once 4000 fen of the order were refunded in all.</param>
/// <param name="Points">Signed: positive earned, negative reversed.</param>
public sealed record OrderPointsChanged(string CustomerId, string OrderId, string Key, long Points) : IntegrationEvent
{
    public override string Id => $"order-points:{Key}";

    public override string SubjectId => OrderId;
}
