using System.Collections.Concurrent;
using Mall.Domain.Common;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Platform;

/// <summary>
/// The one place integration events go from an outbox to whoever reacts to them: the mall's own
/// handlers, orchestrations (through the handlers' <see cref="EventContext"/>) and the event bus.
/// Runs from the dispatch queue's function, after the writes that raised the events committed.
/// For each event and subscriber a durable marker (<see cref="EventDelivery"/>) is claimed before
/// the subscriber runs and kept for good, so a finished delivery never runs again, however late the
/// event comes back. A failing subscriber is retried with backoff and, after
/// <see cref="EventOptions.MaxAttempts"/>, parked for an operator; it holds back only its own later
/// events of the same document (their order matters to it), never the other subscribers.
/// An event leaves its outbox once every subscriber is done with it or parked.
/// </summary>
public sealed partial class EventDispatcher(
    IOutboxStore outboxes,
    IDispatchQueue queue,
    IDocumentCollection<EventDelivery> deliveries,
    IDocumentCollection<ParkedEvent> parkedEvents,
    EventSubscriptions subscriptions,
    IEventBus bus,
    EventOptions options,
    TimeProvider time,
    ILogger<EventDispatcher> logger)
{
    /// <summary>The subscriber every event has: publication to downstream systems.</summary>
    public const string BusSubscriber = "EventBus";

    private const int MaxErrorLength = 2_000;
    private const int MaxAnnouncementsPerMessage = 100;

    public async Task DispatchAsync(DispatchRequest request, EventContext context, CancellationToken cancellationToken)
    {
        var outboxes = request.Outboxes
            .GroupBy(a => a.Address)
            .Select(g => new OutboxAnnouncement(g.Key, g.SelectMany(a => a.EventIds).Distinct().ToList(), g.Min(a => a.AnnouncedAt)))
            .ToList();
        var followUps = new ConcurrentBag<(OutboxAnnouncement Announcement, TimeSpan Delay)>();
        await Parallel.ForEachAsync(
            outboxes,
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (announcement, token) =>
            {
                foreach (var followUp in await DispatchOutboxAsync(announcement, context, token))
                {
                    followUps.Add(followUp);
                }
            });

        // Whole seconds, so the follow-ups of one request share few messages.
        foreach (var group in followUps.GroupBy(f => TimeSpan.FromSeconds(Math.Ceiling(f.Delay.TotalSeconds))))
        {
            foreach (var chunk in group.Select(f => f.Announcement).Chunk(MaxAnnouncementsPerMessage))
            {
                await queue.SendAsync(new DispatchRequest(chunk), group.Key, cancellationToken);
            }
        }
    }

    /// <summary>Parked deliveries, oldest first, a page at a time.</summary>
    public async Task<ResultPage<ParkedEvent>> ListParkedAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await parkedEvents.QueryAsync(new DocumentQuery { PartitionKey = ParkedEvent.Partition }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<ParkedEvent>(page.Items.Select(p => p.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>An operator's retry of a parked delivery: runs the subscriber once more, now.</summary>
    public async Task<EventDelivery> RetryParkedAsync(string parkedId, EventContext context, CancellationToken cancellationToken)
    {
        var parkedKey = new DocumentKey(ParkedEvent.Partition, parkedId);
        var parked = (await parkedEvents.FindAsync(parkedKey, cancellationToken))?.Value ?? throw DomainException.NotFound($"Parked event {parkedId}");
        var marker = await deliveries.FindAsync(EventDelivery.KeyFor(parked.Event.Id, parked.Subscriber), cancellationToken);
        if (marker?.Value.State != DeliveryState.Parked)
        {
            // Delivered meanwhile (or the marker is being worked on): nothing to retry.
            await parkedEvents.DeleteAsync(parkedKey, null, cancellationToken);
            return marker?.Value ?? throw DomainException.NotFound($"Delivery of {parked.Event.Id} to {parked.Subscriber}");
        }

        var (integrationEvent, subscribers) = SubscribersOf(parked.Event);
        var subscriber = subscribers.FirstOrDefault(s => s.Name == parked.Subscriber)
            ?? throw new DomainException(ErrorCode.Conflict, $"{parked.Subscriber} no longer handles {parked.Event.Type}.");
        var claim = await deliveries.ReplaceAsync(marker, Claimed(marker.Value), [], cancellationToken);
        var outcome = await RunAndRecordAsync(claim, parked.Event, integrationEvent!, subscriber, context, parkAfterFailure: true, cancellationToken);
        if (outcome.State == DeliveryState.Done)
        {
            await parkedEvents.DeleteAsync(parkedKey, null, cancellationToken);
        }

        return outcome;
    }

    private async Task<IReadOnlyList<(OutboxAnnouncement, TimeSpan)>> DispatchOutboxAsync(OutboxAnnouncement announcement, EventContext context, CancellationToken cancellationToken)
    {
        var address = announcement.Address;
        var read = await outboxes.ReadAsync(address, cancellationToken);
        var pending = read?.Events ?? [];
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var blocked = new HashSet<string>(StringComparer.Ordinal);
        var toRetry = new List<string>();
        DateTimeOffset? retryAt = null;
        foreach (var envelope in pending)
        {
            var (integrationEvent, subscribers) = SubscribersOf(envelope);
            var outcomes = await DeliverAsync(envelope, integrationEvent, subscribers.Where(s => !blocked.Contains(s.Name)).ToList(), context, cancellationToken);
            var complete = outcomes.Count == subscribers.Count;
            foreach (var delivery in outcomes.Where(d => d.State is not (DeliveryState.Done or DeliveryState.Parked)))
            {
                // Running: another dispatcher holds it and removes the event when done (or its message comes back).
                complete = false;
                if (delivery.State == DeliveryState.Failed)
                {
                    blocked.Add(delivery.Subscriber);
                    retryAt = retryAt is null || delivery.NextAttemptAt < retryAt ? delivery.NextAttemptAt : retryAt;
                }
            }

            if (complete)
            {
                finished.Add(envelope.Id);
            }
            else
            {
                toRetry.Add(envelope.Id);
            }
        }

        if (finished.Count > 0)
        {
            await outboxes.RemoveAsync(address, read!, finished, cancellationToken);
        }

        var now = time.GetUtcNow();
        var followUps = new List<(OutboxAnnouncement, TimeSpan)>();
        if (retryAt is not null)
        {
            followUps.Add((new OutboxAnnouncement(address, toRetry, now), Max(TimeSpan.Zero, retryAt.Value - now)));
        }

        var unwritten = new List<string>();
        foreach (var id in announcement.EventIds.Except(pending.Select(e => e.Id)))
        {
            // Every dispatched event has at least the bus's marker: none means its write has not committed (yet).
            var markers = await deliveries.QueryAsync(new DocumentQuery { PartitionKey = StorageKeys.Escape(id) }, null, 1, cancellationToken);
            if (markers.Items.Count == 0)
            {
                unwritten.Add(id);
            }
        }

        if (unwritten.Count > 0)
        {
            var waited = now - announcement.AnnouncedAt;
            if (waited < options.CommitWait)
            {
                // Checks again soon at first (the write is usually milliseconds behind), then less often.
                followUps.Add((announcement with { EventIds = unwritten }, Max(TimeSpan.FromSeconds(1), Min(waited, TimeSpan.FromMinutes(2)))));
            }
            else
            {
                LogNeverWritten(logger, address.ToString(), string.Join(", ", unwritten));
            }
        }

        return followUps;
    }

    /// <summary>
    /// Delivers one event to these subscribers. The common case — nobody has touched the event yet —
    /// costs two writes for all of them: their claims in one transaction, their outcomes in another
    /// (the markers of one event share a partition). Otherwise each is claimed on its own.
    /// </summary>
    private async Task<IReadOnlyList<EventDelivery>> DeliverAsync(EventEnvelope envelope, IntegrationEvent? integrationEvent, IReadOnlyList<Subscriber> subscribers, EventContext context, CancellationToken cancellationToken)
    {
        if (subscribers.Count == 0)
        {
            return [];
        }

        var partition = StorageKeys.Escape(envelope.Id);
        var now = time.GetUtcNow();
        var claims = subscribers.Select(s => new EventDelivery(envelope.Id, s.Name, DeliveryState.Running, 1, now + options.Lease, null, null, now)).ToList();
        try
        {
            await deliveries.InsertAllAsync(partition, claims.Select(c => KeyValuePair.Create(c.Subscriber, c)).ToList(), cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            var oneByOne = new List<EventDelivery>();
            foreach (var subscriber in subscribers)
            {
                oneByOne.Add(await DeliverAloneAsync(envelope, integrationEvent, subscriber, context, cancellationToken));
            }

            return oneByOne;
        }

        var outcomes = new List<EventDelivery>();
        for (var i = 0; i < subscribers.Count; i++)
        {
            outcomes.Add(await RunAsync(claims[i], envelope, integrationEvent!, subscribers[i], context, parkAfterFailure: false, cancellationToken));
        }

        // Last writer wins: only a dispatcher that took over after our lease ran out could have written meanwhile.
        await deliveries.UpsertAllAsync(partition, outcomes.Select(o => KeyValuePair.Create(o.Subscriber, o)).ToList(), cancellationToken);
        return outcomes;
    }

    /// <summary>One subscriber's delivery, claimed (or taken over from a failed or expired attempt) with its own marker.</summary>
    private async Task<EventDelivery> DeliverAloneAsync(EventEnvelope envelope, IntegrationEvent? integrationEvent, Subscriber subscriber, EventContext context, CancellationToken cancellationToken)
    {
        var key = EventDelivery.KeyFor(envelope.Id, subscriber.Name);
        var now = time.GetUtcNow();
        Versioned<EventDelivery> claim;
        try
        {
            claim = await deliveries.InsertAsync(key, new EventDelivery(envelope.Id, subscriber.Name, DeliveryState.Running, 1, now + options.Lease, null, null, now), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            var current = await deliveries.FindAsync(key, cancellationToken);
            if (current is null || !CanTakeOver(current.Value, now))
            {
                return current?.Value ?? new EventDelivery(envelope.Id, subscriber.Name, DeliveryState.Running, 0, null, null, null, now);
            }

            try
            {
                claim = await deliveries.ReplaceAsync(current, Claimed(current.Value), [], cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                return current.Value with { State = DeliveryState.Running };
            }
        }

        return await RunAndRecordAsync(claim, envelope, integrationEvent!, subscriber, context, parkAfterFailure: false, cancellationToken);
    }

    private async Task<EventDelivery> RunAndRecordAsync(Versioned<EventDelivery> claim, EventEnvelope envelope, IntegrationEvent integrationEvent, Subscriber subscriber, EventContext context, bool parkAfterFailure, CancellationToken cancellationToken)
    {
        var outcome = await RunAsync(claim.Value, envelope, integrationEvent, subscriber, context, parkAfterFailure, cancellationToken);
        try
        {
            await deliveries.ReplaceAsync(claim, outcome, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Our lease ran out and another dispatcher took the delivery over: its outcome stands.
        }

        return outcome;
    }

    /// <summary>Runs the subscriber and says how its delivery stands now (a parked one is also listed for the operator).</summary>
    private async Task<EventDelivery> RunAsync(EventDelivery claim, EventEnvelope envelope, IntegrationEvent integrationEvent, Subscriber subscriber, EventContext context, bool parkAfterFailure, CancellationToken cancellationToken)
    {
        try
        {
            await subscriber.Run(integrationEvent, envelope, context, cancellationToken);
            return claim with { State = DeliveryState.Done, LeaseUntil = null, NextAttemptAt = null, LastError = null, UpdatedAt = time.GetUtcNow() };
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            var error = Truncate($"{exception.GetType().Name}: {exception.Message}");
            var now = time.GetUtcNow();
            if (parkAfterFailure || claim.Attempts >= options.MaxAttempts)
            {
                // The listing first: a crash between the two writes leaves a visible record, never a silent one.
                var parked = new ParkedEvent(ParkedEvent.IdFor(envelope.Id, subscriber.Name), envelope, subscriber.Name, claim.Attempts, error, now);
                await parkedEvents.UpsertAsync(new DocumentKey(ParkedEvent.Partition, parked.Id), parked, cancellationToken);
                LogParked(logger, exception, envelope.Id, envelope.Type, subscriber.Name, claim.Attempts);
                return claim with { State = DeliveryState.Parked, LeaseUntil = null, NextAttemptAt = null, LastError = error, UpdatedAt = now };
            }

            var next = now + options.RetryDelay(claim.Attempts);
            LogFailed(logger, exception, envelope.Id, envelope.Type, subscriber.Name, claim.Attempts, next);
            return claim with { State = DeliveryState.Failed, LeaseUntil = null, NextAttemptAt = next, LastError = error, UpdatedAt = now };
        }
    }

    private static bool CanTakeOver(EventDelivery delivery, DateTimeOffset now) => delivery.State switch
    {
        DeliveryState.Running => delivery.LeaseUntil <= now,
        DeliveryState.Failed => delivery.NextAttemptAt <= now,
        _ => false,
    };

    private EventDelivery Claimed(EventDelivery delivery)
    {
        var now = time.GetUtcNow();
        return delivery with { State = DeliveryState.Running, Attempts = delivery.Attempts + 1, LeaseUntil = now + options.Lease, UpdatedAt = now };
    }

    /// <summary>The event's handlers, then the bus; an event of a type this version does not know goes to the bus only.</summary>
    private (IntegrationEvent? Event, IReadOnlyList<Subscriber> Subscribers) SubscribersOf(EventEnvelope envelope)
    {
        var publish = new Subscriber(BusSubscriber, (_, e, _, ct) => bus.PublishAsync(e, ct));
        IntegrationEvent integrationEvent;
        try
        {
            integrationEvent = EventCatalog.Open(envelope);
        }
        catch (UnknownEventException exception)
        {
            LogUnknown(logger, exception, envelope.Id, envelope.Type);
            return (null, [publish]);
        }

        var handlers = subscriptions.For(integrationEvent.GetType()).Select(s => new Subscriber(s.Name, (e, _, c, ct) => s.Run(e, c, ct)));
        return (integrationEvent, [.. handlers, publish]);
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed record Subscriber(string Name, Func<IntegrationEvent, EventEnvelope, EventContext, CancellationToken, Task> Run);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} ({Type}): {Subscriber} failed (attempt {Attempts}); retried at {NextAttemptAt}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string eventId, string type, string subscriber, int attempts, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} ({Type}): {Subscriber} failed {Attempts} times and is parked for an operator")]
    private static partial void LogParked(ILogger logger, Exception exception, string eventId, string type, string subscriber, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} has a type this version does not know ({Type}); it is only published")]
    private static partial void LogUnknown(ILogger logger, Exception exception, string eventId, string type);

    [LoggerMessage(Level = LogLevel.Information, Message = "Announced events of {Address} were never written (the write failed): {EventIds}")]
    private static partial void LogNeverWritten(ILogger logger, string address, string eventIds);
}
