using System.Runtime.CompilerServices;
using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>Address of one stored document (an Azure Table entity).</summary>
public readonly record struct DocumentKey(string PartitionKey, string RowKey)
{
    public static DocumentKey Single(string partitionKey) => new(partitionKey, string.Empty);

    public override string ToString() => $"{PartitionKey}/{RowKey}";
}

/// <summary>A stored document with the version tag every guarded write must present.</summary>
public sealed record Versioned<T>(DocumentKey Key, T Value, string ETag)
{
    /// <summary>
    /// The document's outbox: events written with earlier changes and not yet dispatched. Storage keeps
    /// them across writes; business code neither reads nor sets them.
    /// </summary>
    public IReadOnlyList<EventEnvelope> PendingEvents { get; init; } = [];
}

/// <summary>One page of a query and the opaque token for the next page (null when done).</summary>
public sealed record ResultPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>Which documents a query returns. Column filters apply to indexed columns only.</summary>
public sealed record DocumentQuery
{
    public string? PartitionKey { get; init; }

    /// <summary>Inclusive lower and exclusive upper bound on the partition key, for range scans.</summary>
    public string? PartitionKeyFrom { get; init; }

    public string? PartitionKeyBefore { get; init; }

    /// <summary>Rows whose key starts with this prefix.</summary>
    public string? RowKeyPrefix { get; init; }

    public IReadOnlyDictionary<string, string> ColumnEquals { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// A collection of documents with optimistic concurrency. Every write that changes state is either a
/// conditional insert or an ETag-guarded replace of a single entity, which is correct on real Azure
/// and on Azurite alike. Integration events passed to a write are stored in the same entity (the
/// outbox), in the same write; <see cref="EventDispatcher"/> delivers them later.
/// </summary>
public interface IDocumentCollection<T>
    where T : class
{
    Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken);

    /// <summary>Inserts if absent; throws <see cref="ConcurrencyConflictException"/> if the key exists.</summary>
    Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken);

    /// <summary>Replaces if the stored ETag still matches; throws <see cref="ConcurrencyConflictException"/> otherwise.</summary>
    Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken);

    /// <summary>Last-writer-wins write for documents with no invariants across writers (projections, carts).</summary>
    Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken);

    /// <summary>Deletes; with an ETag only if unchanged. Returns false if it was already gone.</summary>
    Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken);

    Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken);
}

/// <summary>A guarded write lost a race (the entity changed or already exists). Re-read and decide again.</summary>
public sealed class ConcurrencyConflictException : Exception
{
    public ConcurrencyConflictException(string message)
        : base(message)
    {
    }

    public ConcurrencyConflictException()
        : this("The document changed concurrently.")
    {
    }

    public ConcurrencyConflictException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The outcome of deciding on a document's next state: what to write and what to answer.</summary>
public sealed record Decision<T, TResult>(T? NewValue, IReadOnlyList<IntegrationEvent> Events, TResult Result)
    where T : class
{
    public bool Writes => NewValue is not null;
}

public static class Decision
{
    public static Decision<T, TResult> Write<T, TResult>(T newValue, TResult result, params IntegrationEvent[] events)
        where T : class => new(newValue, events, result);

    public static Decision<T, TResult> Write<T, TResult>(T newValue, TResult result, IReadOnlyList<IntegrationEvent> events)
        where T : class => new(newValue, events, result);

    public static Decision<T, TResult> Keep<T, TResult>(TResult result)
        where T : class => new(null, [], result);
}

public static class DocumentCollectionExtensions
{
    private const int MaxAttempts = 64;

    /// <summary>Every document the query matches, page after page; one page in memory at a time.</summary>
    public static async IAsyncEnumerable<Versioned<T>> ScanAsync<T>(
        this IDocumentCollection<T> collection,
        DocumentQuery query,
        int pageSize,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        string? token = null;
        do
        {
            var page = await collection.QueryAsync(query, token, pageSize, cancellationToken);
            foreach (var item in page.Items)
            {
                yield return item;
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
    }

    /// <summary>
    /// A guarded transition of an existing document by a pure <paramref name="change"/> that returns the
    /// same instance when nothing changes (then nothing is written). Missing: NOT_FOUND naming <paramref name="what"/>.
    /// </summary>
    public static Task<T> UpdateAsync<T>(this IDocumentCollection<T> collection, DocumentKey key, string what, Func<T, T> change, CancellationToken cancellationToken)
        where T : class =>
        collection.TransitionAsync(
            key,
            current =>
            {
                var existing = (current ?? throw DomainException.NotFound(what)).Value;
                var changed = change(existing);
                return ReferenceEquals(changed, existing) ? Decision.Keep<T, T>(existing) : Decision.Write(changed, changed);
            },
            cancellationToken);

    /// <summary>
    /// The guarded state transition: read, decide (pure), write conditionally; on a lost race read
    /// again and decide again. The decision function must be free of side effects because it may run
    /// several times. A missing document is passed as null, so the same call can create it.
    /// </summary>
    public static Task<TResult> TransitionAsync<T, TResult>(
        this IDocumentCollection<T> collection,
        DocumentKey key,
        Func<Versioned<T>?, Decision<T, TResult>> decide,
        CancellationToken cancellationToken)
        where T : class =>
        collection.TransitionFromAsync(key, null, decide, cancellationToken);

    /// <summary>
    /// <see cref="TransitionAsync{T, TResult}"/> starting from a version the caller has just read (e.g. a
    /// query page), which saves the first read; a lost race reads again as usual.
    /// </summary>
    public static Task<TResult> TransitionFromAsync<T, TResult>(
        this IDocumentCollection<T> collection,
        DocumentKey key,
        Versioned<T>? lastRead,
        Func<Versioned<T>?, Decision<T, TResult>> decide,
        CancellationToken cancellationToken)
        where T : class =>
        collection.TransitionFromAsync(key, lastRead, current => Task.FromResult(decide(current)), cancellationToken);

    /// <summary>
    /// <see cref="TransitionAsync{T, TResult}"/> whose decision also reads other documents (e.g. a
    /// receipt): those reads happen after each read of this document, so the conditional write proves
    /// they saw a state no later than the one it replaces. The decision must not write anything.
    /// </summary>
    public static Task<TResult> TransitionWithReadsAsync<T, TResult>(
        this IDocumentCollection<T> collection,
        DocumentKey key,
        Func<Versioned<T>?, Task<Decision<T, TResult>>> decide,
        CancellationToken cancellationToken)
        where T : class =>
        collection.TransitionFromAsync(key, null, decide, cancellationToken);

    private static async Task<TResult> TransitionFromAsync<T, TResult>(
        this IDocumentCollection<T> collection,
        DocumentKey key,
        Versioned<T>? lastRead,
        Func<Versioned<T>?, Task<Decision<T, TResult>>> decide,
        CancellationToken cancellationToken)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var current = attempt == 1 && lastRead is not null ? lastRead : await collection.FindAsync(key, cancellationToken);
            var decision = await decide(current);
            if (!decision.Writes)
            {
                return decision.Result;
            }

            try
            {
                if (current is null)
                {
                    await collection.InsertAsync(key, decision.NewValue!, decision.Events, cancellationToken);
                }
                else
                {
                    await collection.ReplaceAsync(current, decision.NewValue!, decision.Events, cancellationToken);
                }

                return decision.Result;
            }
            catch (ConcurrencyConflictException) when (attempt < MaxAttempts)
            {
                // Contended entity: back off a little, with jitter so racing writers spread out.
                var delay = Math.Min(200, 2 * attempt) + Random.Shared.Next(0, 5 + (2 * attempt));
                await Task.Delay(delay, cancellationToken);
            }
            catch (ConcurrencyConflictException exception)
            {
                throw new DomainException(ErrorCode.Busy, $"{key} is busy; please retry.", null, exception);
            }
        }
    }
}
