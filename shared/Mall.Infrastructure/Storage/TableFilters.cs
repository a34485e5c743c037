using Azure.Data.Tables;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Storage;

/// <summary>Builds OData filters for <see cref="DocumentQuery"/>; every value is escaped by the SDK.</summary>
public static class TableFilters
{
    public static string? For(DocumentQuery query)
    {
        var clauses = new List<string>();
        if (query.PartitionKey is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey eq {query.PartitionKey}"));
        }

        if (query.PartitionKeyFrom is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey ge {query.PartitionKeyFrom}"));
        }

        if (query.PartitionKeyBefore is not null)
        {
            clauses.Add(TableClient.CreateQueryFilter($"PartitionKey lt {query.PartitionKeyBefore}"));
        }

        if (!string.IsNullOrEmpty(query.RowKeyPrefix))
        {
            clauses.Add(TableClient.CreateQueryFilter($"RowKey ge {query.RowKeyPrefix}"));
            clauses.Add(TableClient.CreateQueryFilter($"RowKey lt {PrefixUpperBound(query.RowKeyPrefix)}"));
        }

        foreach (var (column, value) in query.ColumnEquals)
        {
            // Column names come from code, never from callers; the value is escaped.
            clauses.Add(column + TableClient.CreateQueryFilter($" eq {value}"));
        }

        return clauses.Count == 0 ? null : string.Join(" and ", clauses);
    }

    /// <summary>The smallest string greater than every string starting with <paramref name="prefix"/>.</summary>
    public static string PrefixUpperBound(string prefix) => prefix[..^1] + (char)(prefix[^1] + 1);
}
