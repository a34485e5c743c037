using System.Diagnostics;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Infrastructure.Storage;

/// <summary>
/// A client span (source <see cref="MallTelemetry.Name"/>) around every call to a document collection, named after
/// the operation and table, child of whatever runs it (an HTTP function, a queue handler, an activity). Keys are
/// not recorded (many hold customer ids); only an order's id is, as <see cref="MallTelemetry.OrderId"/>, for the
/// tables keyed by order. A lost race is an expected outcome, tagged, not an error.
/// </summary>
public sealed class TracedDocumentCollection<T>(string tableName, IDocumentCollection<T> documents, Func<DocumentKey, string?>? orderIdOf = null) : IDocumentCollection<T>
    where T : class
{
    public async Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken)
    {
        using var span = Start("find", key);
        return await Traced(span, documents.FindAsync(key, cancellationToken));
    }

    public async Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        using var span = Start("insert", key);
        return await Traced(span, documents.InsertAsync(key, value, events, cancellationToken));
    }

    public async Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        using var span = Start("replace", current.Key);
        return await Traced(span, documents.ReplaceAsync(current, value, events, cancellationToken));
    }

    public async Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken)
    {
        using var span = Start("upsert", key);
        await Traced(span, Completed(documents.UpsertAsync(key, value, cancellationToken)));
    }

    public async Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken)
    {
        using var span = Start("delete", key);
        return await Traced(span, documents.DeleteAsync(key, etag, cancellationToken));
    }

    public async Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        using var span = Start("query", query.PartitionKey is { } partition ? DocumentKey.Single(partition) : null);
        return await Traced(span, documents.QueryAsync(query, continuationToken, pageSize, cancellationToken));
    }

    private static async Task<bool> Completed(Task task)
    {
        await task;
        return true;
    }

    private static async Task<TResult> Traced<TResult>(Activity? span, Task<TResult> call)
    {
        try
        {
            return await call;
        }
        catch (ConcurrencyConflictException) when (span is not null)
        {
            span.SetTag("mall.storage.conflict", true);
            throw;
        }
        catch (Exception exception) when (span is not null)
        {
            span.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            throw;
        }
    }

    private Activity? Start(string operation, DocumentKey? key)
    {
        var span = MallTelemetry.Source.StartActivity($"{operation} {tableName}", ActivityKind.Client);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("db.system.name", MallTelemetry.TableStorageSystem);
            span.SetTag("db.collection.name", tableName);
            span.SetTag("db.operation.name", operation);
            if (key is { } documentKey && orderIdOf?.Invoke(documentKey) is { Length: > 0 } orderId)
            {
                span.SetTag(MallTelemetry.OrderId, orderId);
            }
        }

        return span;
    }
}
