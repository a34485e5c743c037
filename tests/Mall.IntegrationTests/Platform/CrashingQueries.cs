using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.IntegrationTests.Platform;

/// <summary>A stored collection whose Nth query fails, as if storage went away in the middle of a long run.</summary>
public sealed class CrashingQueries<T>(IDocumentCollection<T> inner, int crashOnQuery) : IDocumentCollection<T>
    where T : class
{
    private int queries;

    public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        Interlocked.Increment(ref queries) == crashOnQuery ? throw new IOException("storage went away") : inner.QueryAsync(query, continuationToken, pageSize, cancellationToken);

    public Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken) => inner.FindAsync(key, cancellationToken);

    public Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        inner.InsertAsync(key, value, events, cancellationToken);

    public Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        inner.ReplaceAsync(current, value, events, cancellationToken);

    public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken) => inner.UpsertAsync(key, value, cancellationToken);

    public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) => inner.DeleteAsync(key, etag, cancellationToken);
}
