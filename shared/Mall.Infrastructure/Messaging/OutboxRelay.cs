using System.Net;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Logging;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// Relays the events stored in an entity's outbox: runs the mall's own handlers, publishes to the
/// event bus, then removes the relayed events from the entity (ETag-guarded). A due-work hint is
/// scheduled before every write that adds events, so a crash anywhere after the write still gets
/// the events relayed by the timer; a relay that runs twice re-publishes with the same message ids,
/// which Service Bus duplicate detection and idempotent handlers absorb.
/// Handlers are resolved when relaying: they write documents themselves, and documents need this relay.
/// </summary>
public sealed partial class OutboxRelay(
    TableProvider tables,
    IDueWorkScheduler scheduler,
    IEventBus eventBus,
    Func<IEnumerable<IIntegrationEventHandler>> handlers,
    TimeProvider time,
    ILogger<OutboxRelay> logger) : IDueWorkHandler
{
    public const string OutboxProperty = "Outbox";
    public const string DueWorkKind = "OutboxRelay";

    /// <summary>How long the inline relay has before the timer takes over.</summary>
    private static readonly TimeSpan RelayGrace = TimeSpan.FromMinutes(1);

    public string Kind => DueWorkKind;

    public static string Serialize(IReadOnlyList<IntegrationEvent> events) => JsonSerializer.Serialize(events, MallJson.Options);

    public static IReadOnlyList<IntegrationEvent> Deserialize(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<IntegrationEvent>>(json, MallJson.Options) ?? [];

    /// <summary>Schedules the safety-net relay; call before the write that adds events.</summary>
    public async Task<DueWork> RegisterAsync(string tableName, DocumentKey key, CancellationToken cancellationToken)
    {
        var hint = new DueWork(DueWorkKind, $"{tableName}|{key.PartitionKey}|{key.RowKey}", time.GetUtcNow() + RelayGrace);
        await scheduler.ScheduleAsync(hint, cancellationToken);
        return hint;
    }

    /// <summary>Relays right after a write, best effort: on failure the scheduled hint retries later.</summary>
    public async Task TryRelayNowAsync(string tableName, DocumentKey key, DueWork? hint, CancellationToken cancellationToken)
    {
        try
        {
            await RelayAsync(tableName, key, cancellationToken);
            if (hint is not null)
            {
                await scheduler.CancelAsync(hint, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogInlineRelayFailed(logger, exception, tableName, key.ToString());
        }
    }

    public async Task<DueWorkResult> HandleAsync(DueWork work, CancellationToken cancellationToken)
    {
        var parts = work.Subject.Split('|');
        if (parts.Length != 3)
        {
            LogMalformedHint(logger, work.Subject);
            return DueWorkResult.Done;
        }

        await RelayAsync(parts[0], new DocumentKey(parts[1], parts[2]), cancellationToken);
        return DueWorkResult.Done;
    }

    private async Task RelayAsync(string tableName, DocumentKey key, CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(tableName, cancellationToken);
        var stored = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, [OutboxProperty], cancellationToken);
        if (!stored.HasValue)
        {
            return;
        }

        var events = Deserialize(stored.Value!.GetString(OutboxProperty));
        if (events.Count == 0)
        {
            return;
        }

        foreach (var integrationEvent in events)
        {
            foreach (var handler in handlers().Where(h => h.CanHandle(integrationEvent.Type)))
            {
                await handler.HandleAsync(integrationEvent, cancellationToken);
            }
        }

        await eventBus.PublishAsync(events, cancellationToken);
        await RemoveRelayedAsync(table, key, events.Select(e => e.Id).ToHashSet(), cancellationToken);
        LogRelayed(logger, events.Count, tableName, key.ToString());
    }

    private static async Task RemoveRelayedAsync(TableClient table, DocumentKey key, HashSet<string> relayedIds, CancellationToken cancellationToken)
    {
        while (true)
        {
            var stored = await table.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, [OutboxProperty], cancellationToken);
            if (!stored.HasValue)
            {
                return;
            }

            var remaining = Deserialize(stored.Value!.GetString(OutboxProperty)).Where(e => !relayedIds.Contains(e.Id)).ToList();
            var update = new TableEntity(key.PartitionKey, key.RowKey) { [OutboxProperty] = remaining.Count == 0 ? string.Empty : Serialize(remaining) };
            try
            {
                // Merge touches only the outbox; the ETag guard keeps events added meanwhile.
                await table.UpdateEntityAsync(update, stored.Value.ETag, TableUpdateMode.Merge, cancellationToken);
                return;
            }
            catch (RequestFailedException exception) when (exception.Status == (int)HttpStatusCode.PreconditionFailed)
            {
                // The document changed since we read it: read the outbox again.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Inline outbox relay for {Table}/{Key} failed; the timer will retry")]
    private static partial void LogInlineRelayFailed(ILogger logger, Exception exception, string table, string key);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ignoring malformed outbox hint {Subject}")]
    private static partial void LogMalformedHint(ILogger logger, string subject);

    [LoggerMessage(Level = LogLevel.Information, Message = "Relayed {Count} event(s) from {Table}/{Key}")]
    private static partial void LogRelayed(ILogger logger, int count, string table, string key);
}
