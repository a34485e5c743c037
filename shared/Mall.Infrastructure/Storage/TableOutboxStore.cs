using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Storage;

/// <summary>
/// The outbox part of a stored document (see <see cref="TableDocumentCollection{T}"/>): read on its
/// own, and trimmed by an ETag-guarded merge of the outbox properties only, so a concurrent business
/// write either sees the trimmed outbox or makes the trim read again.
/// </summary>
public sealed class TableOutboxStore(TableProvider tables) : IOutboxStore
{
    public const string Property = "Outbox";

    /// <summary>At most this many chunks of events (about 200 events); the document has the rest of the entity.</summary>
    public const int MaxChunks = 4;

    public static string Serialize(IReadOnlyList<EventEnvelope> events) => events.Count == 0 ? string.Empty : JsonSerializer.Serialize(events, MallJson.Options);

    public static IReadOnlyList<EventEnvelope> Deserialize(string json) =>
        json.Length == 0 ? [] : JsonSerializer.Deserialize<List<EventEnvelope>>(json, MallJson.Options) ?? [];

    public static IReadOnlyList<EventEnvelope> ReadFrom(TableEntity entity) => Deserialize(EntityChunks.Read(entity, Property, MaxChunks));

    public async Task<OutboxContents?> ReadAsync(OutboxAddress address, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(address.Table, cancellationToken);
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(address.PartitionKey, address.RowKey, EntityChunks.Names(Property, MaxChunks), cancellationToken);
        return stored.HasValue ? new OutboxContents(ReadFrom(stored.Value!), stored.Value!.ETag.ToString()) : null;
    }

    public async Task<IReadOnlyList<EventEnvelope>> RemoveAsync(OutboxAddress address, OutboxContents read, IReadOnlySet<string> eventIds, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(address.Table, cancellationToken);
        var (current, etag) = (read.Events, new ETag(read.ETag));
        while (true)
        {
            var remaining = current.Where(e => !eventIds.Contains(e.Id)).ToList();
            if (remaining.Count == current.Count)
            {
                return remaining;
            }

            var update = new TableEntity(address.PartitionKey, address.RowKey);
            EntityChunks.Write(update, Property, Serialize(remaining), clearUpTo: EntityChunks.CountFor(Serialize(current)));
            try
            {
                await table.UpdateEntityAsync(update, etag, TableUpdateMode.Merge, cancellationToken);
                return remaining;
            }
            catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.PreconditionFailed)
            {
                // The document changed since it was read (maybe new events): read the outbox again.
                var stored = await table.GetEntityIfExistsAsync<TableEntity>(address.PartitionKey, address.RowKey, EntityChunks.Names(Property, MaxChunks), cancellationToken);
                if (!stored.HasValue)
                {
                    return [];
                }

                (current, etag) = (ReadFrom(stored.Value!), stored.Value!.ETag);
            }
            catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.NotFound)
            {
                return [];
            }
        }
    }
}
