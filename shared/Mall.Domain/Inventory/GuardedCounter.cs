using System.Collections.Immutable;

namespace Mall.Domain.Inventory;

/// <summary>
/// A bounded counter (stock on hand, units a customer bought of a limited product) whose changes
/// are idempotent per operation id. A change is applied together with a pending marker in the same
/// single-entity write, so a retried operation is recognised and not applied twice. The owner of
/// the operation (an order, a refund) later settles the marker (the change is final) or reverts it
/// (the change is undone, and the operation may start again). Markers only live while their
/// operation is in flight, so the entity stays small; settling leaves a <see cref="SettledOperation"/>
/// behind, kept for good beside the counter, so a settled operation is recognised for its whole life:
/// a retry that read its owner before the owner recorded the change cannot apply it again.
/// </summary>
public sealed record GuardedCounter
{
    public GuardedCounter(long value, ImmutableDictionary<string, long>? pending = null)
    {
        Value = value;
        Pending = pending ?? ImmutableDictionary<string, long>.Empty;
    }

    public long Value { get; }

    /// <summary>Operation id → the delta it applied, for operations not yet settled or reverted.</summary>
    public ImmutableDictionary<string, long> Pending { get; }

    /// <summary>
    /// Applies <paramref name="delta"/> under operation <paramref name="operationId"/> if the result stays
    /// within [<paramref name="minimum"/>, <paramref name="maximum"/>]. Re-applying the same operation is a no-op.
    /// </summary>
    public CounterChange Apply(string operationId, long delta, long minimum = 0, long maximum = long.MaxValue)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        if (Pending.ContainsKey(operationId))
        {
            return new CounterChange(this, CounterOutcome.AlreadyApplied);
        }

        var next = Value + delta;
        if (next < minimum || next > maximum)
        {
            return new CounterChange(this, CounterOutcome.Refused);
        }

        return new CounterChange(new GuardedCounter(next, Pending.Add(operationId, delta)), CounterOutcome.Applied);
    }

    /// <summary>
    /// Makes a pending operation final: its marker is dropped, the value keeps the change. Its
    /// <see cref="SettledOperation"/> must be stored first.
    /// </summary>
    public CounterChange Settle(string operationId) =>
        Pending.ContainsKey(operationId)
            ? new CounterChange(new GuardedCounter(Value, Pending.Remove(operationId)), CounterOutcome.Applied)
            : new CounterChange(this, CounterOutcome.AlreadyApplied);

    /// <summary>Undoes a pending operation. Reverting an unknown or already settled operation is a no-op.</summary>
    public CounterChange Revert(string operationId) =>
        Pending.TryGetValue(operationId, out var delta)
            ? new CounterChange(new GuardedCounter(Value - delta, Pending.Remove(operationId)), CounterOutcome.Applied)
            : new CounterChange(this, CounterOutcome.AlreadyApplied);
}

/// <summary>Proof that an operation settled on a counter: the delta it applied, kept for good.</summary>
public sealed record SettledOperation(long Delta);

public enum CounterOutcome
{
    /// <summary>The counter changed.</summary>
    Applied,

    /// <summary>Nothing to do: the operation was already applied (or already settled/reverted).</summary>
    AlreadyApplied,

    /// <summary>The change would leave the allowed range; the counter is unchanged.</summary>
    Refused,
}

public sealed record CounterChange(GuardedCounter Counter, CounterOutcome Outcome)
{
    public bool Changed => Outcome == CounterOutcome.Applied;
}
