namespace Mall.Domain.Customers;

/// <summary>A points ledger line (earned on payment, reversed on refund, redeemed, returned); its key makes it idempotent.</summary>
public sealed record PointsEntry(string CustomerId, string Key, string OrderId, long Points, DateTimeOffset At);
