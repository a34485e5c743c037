namespace Mall.Domain.Common;

/// <summary>
/// A fact other systems (and the mall's own reactions) act on: one record type per event, in its
/// capability's folder; its wire name is the type's name. Written to the outbox in the same write as
/// the state change it describes, so it exists if and only if the change happened. <see cref="Id"/>
/// is deterministic for the change (e.g. "order:O123:paid"), so a repeated delivery is recognised by
/// every consumer (the mall's handlers keep a marker per event id, Service Bus drops repeats).
/// </summary>
public abstract record IntegrationEvent
{
    /// <summary>Identity of the change; the same change always yields the same id.</summary>
    public abstract string Id { get; }

    /// <summary>The business object the event is about (an order, a customer, a product…).</summary>
    public abstract string SubjectId { get; }

    public required DateTimeOffset OccurredAt { get; init; }

    /// <summary>The wire name: the record's type name ("OrderPaid").</summary>
    public string Name => GetType().Name;
}
