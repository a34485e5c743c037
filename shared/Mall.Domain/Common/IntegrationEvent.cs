namespace Mall.Domain.Common;

/// <summary>
/// A fact other systems (and the mall's own reactions) may act on. Written to the outbox in the
/// same write as the state change it describes, so it exists if and only if the change happened.
/// <see cref="Id"/> is deterministic for the change (e.g. "order:O123:paid"), so publishing twice
/// is dropped by Service Bus duplicate detection and handled once by idempotent consumers.
/// </summary>
public sealed record IntegrationEvent(
    string Id,
    string Type,
    string Subject,
    DateTimeOffset OccurredAt,
    IReadOnlyDictionary<string, string> Data);
