namespace Mall.Infrastructure.Storage;

/// <summary>
/// How one document type is stored: its table and the columns copied out of the JSON document so
/// queries can filter on them (e.g. an order's Status for the admin list).
/// </summary>
public sealed record DocumentCollectionDefinition<T>(
    string TableName,
    Func<T, IReadOnlyDictionary<string, object?>>? IndexedColumns = null)
    where T : class;
