using Mall.Domain.Common;

namespace Mall.Domain.Analytics;

public enum AlertState
{
    Raised,
    Escalated,
    Acknowledged,
    Resolved,
}

/// <summary>One episode of a rule's condition: raised once when it starts, resolved when it clears.</summary>
public sealed record Alert(
    string Id,
    string RuleId,
    AlertMetric Metric,
    string Description,
    string Action,
    double Threshold,
    double? Value,
    DateTimeOffset RaisedAt)
{
    public DateTimeOffset? EscalatedAt { get; init; }

    public DateTimeOffset? AcknowledgedAt { get; init; }

    public string? AcknowledgedBy { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    public AlertState State =>
        ResolvedAt is not null ? AlertState.Resolved
        : AcknowledgedAt is not null ? AlertState.Acknowledged
        : EscalatedAt is not null ? AlertState.Escalated
        : AlertState.Raised;

    public bool IsOpen => ResolvedAt is null;

    /// <summary>An operator saw it; a repeat keeps the first acknowledgement.</summary>
    public Alert Acknowledge(string operatorName, DateTimeOffset now) =>
        AcknowledgedAt is not null ? this : this with { AcknowledgedAt = now, AcknowledgedBy = operatorName };
}

/// <summary>
/// A rule's alerting state (one document per rule): its open episode, if any. Every evaluation is one
/// guarded write of this document with the events it raises, so an episode is raised once, escalated
/// once and resolved once however many timers run.
/// </summary>
public sealed record AlertBook(string RuleId)
{
    public Alert? Open { get; init; }

    /// <summary>The last episode that resolved (kept so its acknowledgement still has somewhere to go).</summary>
    public Alert? LastResolved { get; init; }

    /// <summary>
    /// The next state after an evaluation at <paramref name="now"/>: a breach with no open episode raises one;
    /// a clear resolves the open one; an open episode nobody acknowledged within <paramref name="escalateAfter"/>
    /// escalates (once). Returns this same instance when nothing changes.
    /// </summary>
    public (AlertBook Book, IReadOnlyList<IntegrationEvent> Events) Evaluate(AlertRule rule, AlertAssessment assessment, double? value, DateTimeOffset now, TimeSpan escalateAfter)
    {
        if (Open is null)
        {
            if (assessment != AlertAssessment.Breached)
            {
                return (this, []);
            }

            var alert = new Alert($"{rule.Id}-{now.UtcDateTime:yyyyMMddHHmmss}", rule.Id, rule.Metric, rule.Describe(), rule.Action, rule.Threshold, value, now);
            return (this with { Open = alert }, [new AlertRaised(alert.Id, rule.Id, rule.Metric, value, rule.Threshold, rule.Action, rule.StartsWakeUp) { OccurredAt = now }]);
        }

        if (assessment == AlertAssessment.Clear)
        {
            var resolved = Open with { ResolvedAt = now };
            return (this with { Open = null, LastResolved = resolved }, [new AlertResolved(resolved.Id, rule.Id, value) { OccurredAt = now }]);
        }

        if (Open.AcknowledgedAt is null && Open.EscalatedAt is null && now - Open.RaisedAt >= escalateAfter)
        {
            var escalated = Open with { EscalatedAt = now };
            return (this with { Open = escalated }, [new AlertEscalated(escalated.Id, rule.Id, escalated.RaisedAt) { OccurredAt = now }]);
        }

        return (this, []);
    }

    /// <summary>Acknowledges the episode named <paramref name="alertId"/>, open or last resolved; null when it is neither.</summary>
    public AlertBook? Acknowledge(string alertId, string operatorName, DateTimeOffset now) =>
        Open?.Id == alertId ? this with { Open = Open.Acknowledge(operatorName, now) }
        : LastResolved?.Id == alertId ? this with { LastResolved = LastResolved.Acknowledge(operatorName, now) }
        : null;
}

/// <summary>A rule's condition started: one per episode. A wake-up rule's raise also starts the reactivation campaign.</summary>
public sealed record AlertRaised(string AlertId, string RuleId, AlertMetric Metric, double? Value, double Threshold, string Action, bool StartsWakeUp) : IntegrationEvent
{
    public override string Id => $"alert:{AlertId}:raised";

    public override string SubjectId => AlertId;
}

/// <summary>Nobody acknowledged the alert in time (seed: respond within 2 hours).</summary>
public sealed record AlertEscalated(string AlertId, string RuleId, DateTimeOffset RaisedAt) : IntegrationEvent
{
    public override string Id => $"alert:{AlertId}:escalated";

    public override string SubjectId => AlertId;
}

/// <summary>The condition cleared.</summary>
public sealed record AlertResolved(string AlertId, string RuleId, double? Value) : IntegrationEvent
{
    public override string Id => $"alert:{AlertId}:resolved";

    public override string SubjectId => AlertId;
}
