using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Infrastructure.Storage;

/// <summary>
/// Documents as Azure Table entities: the JSON document (split over several properties when long),
/// its outbox of undispatched integration events, and indexed columns. Every state change is one
/// single-entity conditional write (insert-if-absent or replace-if-ETag-matches); Azurite honours
/// those exactly like Azure, unlike If-Match inside batches. Writing is all this does: the events
/// are dispatched later (see <see cref="OutboxDocumentCollection{T}"/> and EventDispatcher).
/// </summary>
public sealed class TableDocumentCollection<T>(TableProvider tables, DocumentCollectionDefinition<T> definition) : IDocumentCollection<T>
    where T : class
{
    private const string DocumentProperty = "Doc";

    public string TableName => definition.TableName;

    public async Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken)
    {
        StorageKeys.EnsureValid(key);
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        var response = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken);
        return response.HasValue ? Read(response.Value!) : null;
    }

    public async Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        var pending = events.Select(EventCatalog.Seal).ToList();
        var entity = ToEntity(key, value, pending);
        Response response;
        try
        {
            response = await table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.Conflict)
        {
            throw new ConcurrencyConflictException($"{definition.TableName}/{key} already exists.", exception);
        }

        return new Versioned<T>(key, value, response.Headers.ETag?.ToString() ?? string.Empty) { PendingEvents = pending };
    }

    public async Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        var pending = current.PendingEvents.Concat(events.Select(EventCatalog.Seal)).ToList();
        var entity = ToEntity(current.Key, value, pending);
        Response response;
        try
        {
            response = await table.UpdateEntityAsync(entity, new ETag(current.ETag), TableUpdateMode.Replace, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status is (int)HttpStatusCode.PreconditionFailed or (int)HttpStatusCode.NotFound)
        {
            throw new ConcurrencyConflictException($"{definition.TableName}/{current.Key} changed concurrently.", exception);
        }

        return new Versioned<T>(current.Key, value, response.Headers.ETag?.ToString() ?? string.Empty) { PendingEvents = pending };
    }

    public async Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken)
    {
        StorageKeys.EnsureValid(key);
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        await table.UpsertEntityAsync(ToEntity(key, value, []), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken)
    {
        StorageKeys.EnsureValid(key);
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        try
        {
            var response = await table.DeleteEntityAsync(key.PartitionKey, key.RowKey, etag is null ? ETag.All : new ETag(etag), cancellationToken);
            return response.Status != (int)HttpStatusCode.NotFound;
        }
        catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.PreconditionFailed)
        {
            throw new ConcurrencyConflictException($"{definition.TableName}/{key} changed concurrently.", exception);
        }
    }

    public async Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        StorageKeys.EnsureValid(new DocumentKey(query.PartitionKey ?? string.Empty, query.RowKeyPrefix ?? string.Empty));
        var table = await tables.GetAsync(definition.TableName, cancellationToken);
        var filter = TableFilters.For(query);
        var storageToken = ContinuationTokens.Decode(continuationToken);

        // Cross-partition scans may return empty pages that still carry a token; follow a few so
        // callers get results when there are any, without unbounded work per request.
        for (var fetch = 0; fetch < 8; fetch++)
        {
            await foreach (var page in table.QueryAsync<TableEntity>(filter, pageSize, cancellationToken: cancellationToken).AsPages(storageToken, pageSize))
            {
                if (page.Values.Count > 0 || page.ContinuationToken is null || fetch == 7)
                {
                    return new ResultPage<Versioned<T>>(page.Values.Select(Read).ToList(), ContinuationTokens.Encode(page.ContinuationToken));
                }

                storageToken = page.ContinuationToken;
                break;
            }
        }

        return new ResultPage<Versioned<T>>([], ContinuationTokens.Encode(storageToken));
    }

    private TableEntity ToEntity(DocumentKey key, T value, List<EventEnvelope> events)
    {
        StorageKeys.EnsureValid(key);
        var entity = new TableEntity(key.PartitionKey, key.RowKey);
        var json = JsonSerializer.Serialize(value, MallJson.Options);
        var outbox = TableOutboxStore.Serialize(events);
        var outboxChunks = EntityChunks.CountFor(outbox);
        if (outboxChunks > TableOutboxStore.MaxChunks)
        {
            // Bounded on purpose: this many undelivered events means dispatch has been failing for long.
            throw new InvalidOperationException($"{definition.TableName}/{key} holds {events.Count} undispatched events; see the parked events and the dispatch function's log.");
        }

        if (EntityChunks.CountFor(json) + outboxChunks > EntityChunks.MaxChunksPerEntity)
        {
            throw new InvalidOperationException($"{typeof(T).Name} {key} is too large to store ({json.Length} characters and {outbox.Length} of outbox).");
        }

        EntityChunks.Write(entity, DocumentProperty, json);
        EntityChunks.Write(entity, TableOutboxStore.Property, outbox);

        if (definition.IndexedColumns is not null)
        {
            foreach (var (column, columnValue) in definition.IndexedColumns(value))
            {
                entity[column] = columnValue;
            }
        }

        return entity;
    }

    private Versioned<T> Read(TableEntity entity)
    {
        var json = EntityChunks.Read(entity, DocumentProperty, EntityChunks.MaxChunksPerEntity);
        var value = (json.Length == 0 ? null : JsonSerializer.Deserialize<T>(json, MallJson.Options))
            ?? throw new InvalidOperationException($"{definition.TableName}/{entity.PartitionKey}/{entity.RowKey} holds no document.");
        return new Versioned<T>(new DocumentKey(entity.PartitionKey, entity.RowKey), value, entity.ETag.ToString()) { PendingEvents = TableOutboxStore.ReadFrom(entity) };
    }
}
