using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Infrastructure.Storage;

namespace Mall.Infrastructure.Scheduling;

/// <summary>
/// Due work lives in one table partitioned by due minute ("yyyyMMddHHmm", UTC), row key
/// "{kind}|{subject}". Processing scans partitions up to now, so the table only ever holds
/// outstanding work and the scan stays small however many orders the mall has seen.
/// </summary>
public sealed class TableDueWorkScheduler(TableProvider tables) : IDueWorkScheduler
{
    public const string TableName = "DueWork";

    public async Task ScheduleAsync(DueWork work, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await table.UpsertEntityAsync(ToEntity(work, attempts: 0, lastError: null), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task CancelAsync(DueWork work, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableName, cancellationToken);
        await table.DeleteEntityAsync(Bucket(work.DueAt), RowKey(work.Kind, work.Subject), ETag.All, cancellationToken);
    }

    public static string Bucket(DateTimeOffset dueAt) => dueAt.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public static string RowKey(string kind, string subject)
    {
        var rowKey = $"{kind}|{subject}";
        StorageKeys.EnsureValid(new DocumentKey(string.Empty, rowKey));
        return rowKey;
    }

    public static TableEntity ToEntity(DueWork work, int attempts, string? lastError) =>
        new(Bucket(work.DueAt), RowKey(work.Kind, work.Subject))
        {
            ["Kind"] = work.Kind,
            ["Subject"] = work.Subject,
            ["DueAt"] = work.DueAt,
            ["Attempts"] = attempts,
            ["LastError"] = lastError,
        };
}
