using Mall.Domain.Analytics;
using Mall.Domain.Common;

namespace Mall.Application.Analytics;

/// <summary>
/// Where events are counted: append-only, one row per event and one per (visitor, period) marker,
/// each written once by a conditional insert. Counting is then a fold over rows, exact however many
/// writers race (no read-modify-write of a shared counter, so no lost increment), and a repeated event
/// is a conflict rather than a second count. Rows are spread over shards by visitor.
/// </summary>
public interface IEventLedger
{
    /// <summary>
    /// Records one visitor's events of one CST day at <paramref name="recordedAt"/> (the mall's clock);
    /// <paramref name="isVisit"/> also marks the visitor for the day and each event's hour (the mall's own
    /// events are not visits). Says for each event whether it was new, and when one already there was recorded.
    /// </summary>
    Task<IReadOnlyList<RecordedEvent>> RecordAsync(string visitor, DateOnly day, IReadOnlyList<LedgerEvent> events, bool isVisit, DateTimeOffset recordedAt, CancellationToken cancellationToken);

    /// <summary>Folds one UTC hour from the ledger (every shard).</summary>
    Task<Tally> FoldHourAsync(DateTimeOffset hour, CancellationToken cancellationToken);

    /// <summary>The distinct visitors of a CST day, and those of them who opened a session.</summary>
    Task<DayVisitors> VisitorsAsync(DateOnly day, CancellationToken cancellationToken);

    /// <summary>How many distinct visitors a CST day has had so far.</summary>
    Task<long> CountVisitorsAsync(DateOnly day, CancellationToken cancellationToken);
}

/// <summary>What became of one event: counted now, or already there since <see cref="RecordedAt"/>.</summary>
public sealed record RecordedEvent(LedgerEvent Event, bool New, DateTimeOffset RecordedAt);

public sealed record DayVisitors(IReadOnlySet<string> Visitors, IReadOnlySet<string> SessionOpeners);

/// <summary>Where the ledger's rows go: a partition per CST day and shard, hours in the row keys.</summary>
public static class LedgerKeys
{
    public const int Shards = 16;

    public static string Partition(DateOnly day, string visitor) => $"{day:yyyyMMdd}-{Ids.Shard(visitor, Shards):D2}";

    public static string Partition(DateOnly day, int shard) => $"{day:yyyyMMdd}-{shard:D2}";

    /// <summary>Every row of an hour starts with its key, so one range query per shard reads the hour.</summary>
    public static string HourPrefix(DateTimeOffset hour) => hour.UtcDateTime.ToString("yyyyMMddHH", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>An event's row: its hour, then the visitor, then its key, so an event id is the visitor's own (two devices may both send "pv-1").</summary>
    public static string EventRow(DateTimeOffset occurredAt, string visitor, string key) => $"{HourPrefix(occurredAt)}e{visitor}|{Platform.StorageKeys.Escape(key)}";

    public static string HourVisitorRow(DateTimeOffset occurredAt, string visitor) => $"{HourPrefix(occurredAt)}h{visitor}";

    public static string DayVisitorRow(string visitor) => $"v{visitor}";

    public static string SessionOpenerRow(string visitor) => $"s{visitor}";

    public static DateTimeOffset HourOf(DateTimeOffset instant) =>
        new(instant.UtcDateTime.Year, instant.UtcDateTime.Month, instant.UtcDateTime.Day, instant.UtcDateTime.Hour, 0, 0, TimeSpan.Zero);

    /// <summary>A visitor: a signed-in customer or an anonymous device, never confused with each other.</summary>
    public static string CustomerVisitor(string customerId) => $"c-{customerId}";

    public static string DeviceVisitor(string deviceId) => $"d-{deviceId}";
}
