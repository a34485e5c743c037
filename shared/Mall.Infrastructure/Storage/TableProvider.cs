using System.Collections.Concurrent;
using Azure.Data.Tables;

namespace Mall.Infrastructure.Storage;

/// <summary>Hands out table clients, creating each table once per process on first use.</summary>
public sealed class TableProvider(TableServiceClient service, StorageOptions options)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<TableClient>>> tables = new();

    public string Prefix => options.TablePrefix;

    /// <param name="cancellationToken">Stops this caller's wait; the table's creation, shared by every caller, goes on.</param>
    public Task<TableClient> GetAsync(string logicalName, CancellationToken cancellationToken)
    {
        var lazy = tables.GetOrAdd(logicalName, name => new Lazy<Task<TableClient>>(() => CreateAsync(name)));
        var task = lazy.Value;
        if (task.IsFaulted || task.IsCanceled)
        {
            // Do not cache a failure (e.g. storage briefly unreachable at start): retry next time.
            tables.TryRemove(new KeyValuePair<string, Lazy<Task<TableClient>>>(logicalName, lazy));
        }

        return task.IsCompletedSuccessfully ? task : task.WaitAsync(cancellationToken);
    }

    private async Task<TableClient> CreateAsync(string logicalName)
    {
        var client = service.GetTableClient(options.TablePrefix + logicalName);
        await client.CreateIfNotExistsAsync(CancellationToken.None);
        return client;
    }
}
