using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>Where an outbox lives: the stored document whose write raised the events.</summary>
public sealed record OutboxAddress(string Table, string PartitionKey, string RowKey)
{
    public override string ToString() => $"{Table}/{PartitionKey}/{RowKey}";
}

/// <summary>"These events may be in that outbox": sent before the write that adds them.</summary>
/// <param name="EventIds">The events the write adds; empty for a follow-up that only says "look at this outbox again".</param>
/// <param name="AnnouncedAt">When the write was about to happen; a write still missing long after this never happened.</param>
public sealed record OutboxAnnouncement(OutboxAddress Address, IReadOnlyList<string> EventIds, DateTimeOffset AnnouncedAt)
{
    /// <summary>How many times dispatching this outbox failed as a whole (e.g. its read timed out); sets the backoff.</summary>
    public int Retries { get; init; }
}

/// <summary>One message of the dispatch queue: outboxes to dispatch.</summary>
public sealed record DispatchRequest(IReadOnlyList<OutboxAnnouncement> Outboxes)
{
    /// <summary>
    /// A queue message holds 64 KiB, and base64 (the trigger's encoding) makes 3 bytes 4: requests
    /// stay under this many bytes of JSON.
    /// </summary>
    public const int MaxBytes = 45_000;

    /// <summary>The announcements as few requests as fit under <see cref="MaxBytes"/> each.</summary>
    public static IEnumerable<DispatchRequest> Split(IEnumerable<OutboxAnnouncement> announcements)
    {
        var batch = new List<OutboxAnnouncement>();
        var bytes = 0;
        foreach (var announcement in announcements)
        {
            var size = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(announcement, MallJson.Options).Length + 1;
            if (batch.Count > 0 && bytes + size > MaxBytes)
            {
                yield return new DispatchRequest(batch);
                (batch, bytes) = ([], 0);
            }

            batch.Add(announcement);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            yield return new DispatchRequest(batch);
        }
    }
}

/// <summary>The events an outbox still holds, in the order they were written, and the version to remove them against.</summary>
public sealed record OutboxContents(IReadOnlyList<EventEnvelope> Events, string ETag);

/// <summary>Reads and trims the outboxes that documents carry (storage side of the dispatcher).</summary>
public interface IOutboxStore
{
    /// <summary>Null when the document does not exist.</summary>
    Task<OutboxContents?> ReadAsync(OutboxAddress address, CancellationToken cancellationToken);

    /// <summary>
    /// Removes these events from the outbox, touching nothing else of the document; events added
    /// meanwhile stay. Tried first against <paramref name="read"/> (no second read when nothing changed).
    /// </summary>
    /// <returns>What the outbox holds after the removal (events added meanwhile among them).</returns>
    Task<IReadOnlyList<EventEnvelope>> RemoveAsync(OutboxAddress address, OutboxContents read, IReadOnlySet<string> eventIds, CancellationToken cancellationToken);
}

/// <summary>Puts dispatch requests on the dispatch queue.</summary>
public interface IDispatchQueue
{
    /// <param name="delay">How long the message stays invisible (0: at once).</param>
    Task SendAsync(DispatchRequest request, TimeSpan delay, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the messages the queue trigger gave up on (after maxDequeueCount failures, into
    /// "{queue}-poison") back onto the queue, so an outage or a fixed defect never strands an outbox.
    /// </summary>
    /// <returns>How many messages were moved.</returns>
    Task<int> RedrivePoisonedAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The outbox protocol around a document collection: a write that raises events first announces
/// them on the dispatch queue, then writes the document and its outbox (one conditional write). So a
/// committed event always has an announcement that was durable before it, whatever crashes later;
/// an announcement whose write never happened is recognised by the dispatcher and dropped. Nothing
/// else happens here: events are dispatched later, by <see cref="EventDispatcher"/>.
/// </summary>
public sealed class OutboxDocumentCollection<T>(string table, IDocumentCollection<T> documents, IDispatchQueue queue, EventOptions options, TimeProvider time) : IDocumentCollection<T>
    where T : class
{
    public Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken) => documents.FindAsync(key, cancellationToken);

    public async Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var announcedAt = await AnnounceAsync(key, events, cancellationToken);
        var written = await documents.InsertAsync(key, value, events, cancellationToken);
        await AnnounceAgainIfSlowAsync(key, events, announcedAt, cancellationToken);
        return written;
    }

    public async Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var announcedAt = await AnnounceAsync(current.Key, events, cancellationToken);
        var written = await documents.ReplaceAsync(current, value, events, cancellationToken);
        await AnnounceAgainIfSlowAsync(current.Key, events, announcedAt, cancellationToken);
        return written;
    }

    public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken) => documents.UpsertAsync(key, value, cancellationToken);

    public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) => documents.DeleteAsync(key, etag, cancellationToken);

    public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        documents.QueryAsync(query, continuationToken, pageSize, cancellationToken);

    private async Task<DateTimeOffset> AnnounceAsync(DocumentKey key, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (events.Count > 0)
        {
            await queue.SendAsync(new DispatchRequest([new OutboxAnnouncement(new OutboxAddress(table, key.PartitionKey, key.RowKey), events.Select(e => e.Id).ToList(), now)]), TimeSpan.Zero, cancellationToken);
        }

        return now;
    }

    /// <summary>
    /// A write that took a good part of the dispatcher's commit wait (storage retries) may commit after
    /// the dispatcher stopped checking for it: it is announced once more, now that it has committed.
    /// </summary>
    private async Task AnnounceAgainIfSlowAsync(DocumentKey key, IReadOnlyList<IntegrationEvent> events, DateTimeOffset announcedAt, CancellationToken cancellationToken)
    {
        if (events.Count > 0 && time.GetUtcNow() - announcedAt > options.CommitWait / 3)
        {
            await AnnounceAsync(key, events, CancellationToken.None);
        }
    }
}
