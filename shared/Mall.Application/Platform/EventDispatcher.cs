using System.Diagnostics;
using System.Collections.Concurrent;
using Mall.Domain.Common;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Platform;

/// <summary>
/// The one place integration events go from an outbox to whoever reacts to them: the mall's own
/// handlers, orchestrations (through the handlers' <see cref="EventContext"/>) and the event bus.
/// Runs from the dispatch queue's function, after the writes that raised the events committed.
/// <para>
/// For each event and subscriber a durable marker (<see cref="EventDelivery"/>) is claimed just
/// before the subscriber runs and kept for good, so a finished delivery never runs again, however
/// late the event comes back. A failing subscriber is retried with backoff and, after
/// <see cref="EventOptions.MaxAttempts"/>, parked for an operator. Per document, a subscriber sees
/// its events in order: while one is failing or running elsewhere, its later events of that document
/// wait (the other subscribers go on). An event leaves its outbox once every subscriber is done
/// with it or parked.
/// </para>
/// <para>
/// Nothing is left behind: whatever stays in an outbox (a failure, a delivery running elsewhere, an
/// announced write not committed yet, an outbox that could not be read) gets a follow-up message
/// before this invocation ends; if the invocation itself fails, the queue delivers its message again.
/// </para>
/// </summary>
public sealed partial class EventDispatcher(
    IOutboxStore outboxes,
    IDispatchQueue queue,
    IDocumentCollection<EventDelivery> deliveries,
    IDocumentCollection<ParkedEvent> parkedEvents,
    EventSubscriptions subscriptions,
    IEventBus bus,
    EventOptions options,
    MallMetrics metrics,
    TimeProvider time,
    ILogger<EventDispatcher> logger)
{
    /// <summary>The subscriber every event has: publication to downstream systems.</summary>
    public const string BusSubscriber = "EventBus";

    /// <summary>Stands for an event this version cannot read (a newer type or field value): retried, then parked.</summary>
    public const string CatalogSubscriber = "EventCatalog";

    private const int MaxErrorLength = 2_000;

    /// <summary>A delivery running elsewhere is looked at again this long after its lease ends.</summary>
    private static readonly TimeSpan LeaseMargin = TimeSpan.FromSeconds(5);

    /// <summary>How often a failed outcome write is tried again before the lease is left to expire.</summary>
    private const int OutcomeWriteAttempts = 3;

    /// <summary>Passes over one outbox in one invocation for events written meanwhile (beyond that, their own announcements bring them).</summary>
    private const int MaxPasses = 3;

    public async Task DispatchAsync(DispatchRequest request, EventContext context, CancellationToken cancellationToken)
    {
        var outboxesToDispatch = request.Outboxes
            .GroupBy(a => a.Address)
            .Select(g => new OutboxAnnouncement(g.Key, g.SelectMany(a => a.EventIds).Distinct().ToList(), g.Min(a => a.AnnouncedAt)) { Retries = g.Max(a => a.Retries) })
            .ToList();
        var followUps = new ConcurrentBag<FollowUp>();
        await Parallel.ForEachAsync(
            outboxesToDispatch,
            new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = cancellationToken },
            async (announcement, token) =>
            {
                try
                {
                    foreach (var followUp in await DispatchOutboxAsync(announcement, context, token))
                    {
                        followUps.Add(followUp);
                    }
                }
                catch (Exception exception) when (!token.IsCancellationRequested)
                {
                    // One outbox's trouble (storage timeout…) is that outbox's: it is tried again on its own.
                    var retries = announcement.Retries + 1;
                    LogOutboxFailed(logger, exception, announcement.Address.Table, OutboxRef(announcement.Address), retries);
                    followUps.Add(new FollowUp(announcement with { Retries = retries }, options.RetryDelay(retries)));
                }
            });

        // Whole seconds, so the follow-ups of one request share few messages.
        foreach (var group in followUps.GroupBy(f => TimeSpan.FromSeconds(Math.Ceiling(f.Delay.TotalSeconds))))
        {
            foreach (var message in DispatchRequest.Split(group.Select(f => f.Announcement)))
            {
                await queue.SendAsync(message, group.Key, cancellationToken);
            }
        }
    }

    /// <summary>Parked deliveries, oldest first, a page at a time.</summary>
    public async Task<ResultPage<ParkedEvent>> ListParkedAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await parkedEvents.QueryAsync(new DocumentQuery { PartitionKey = ParkedEvent.Partition }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<ParkedEvent>(page.Items.Select(p => p.Value).ToList(), page.ContinuationToken);
    }

    /// <summary>
    /// An operator's retry of a parked delivery: runs the subscriber once more, now. An event this
    /// version could not read is read again and, if it can be now, delivered to all its subscribers.
    /// </summary>
    public async Task<EventDelivery> RetryParkedAsync(string parkedId, EventContext context, CancellationToken cancellationToken)
    {
        var parkedKey = new DocumentKey(ParkedEvent.Partition, parkedId);
        var parked = (await parkedEvents.FindAsync(parkedKey, cancellationToken))?.Value ?? throw DomainException.NotFound($"Parked event {parkedId}");
        var marker = await deliveries.FindAsync(EventDelivery.KeyFor(parked.Event.Id, parked.Subscriber), cancellationToken)
            ?? throw DomainException.NotFound($"Delivery of {parked.Event.Id} to {parked.Subscriber}");
        var now = time.GetUtcNow();
        if (marker.Value.State == DeliveryState.Done)
        {
            await parkedEvents.DeleteAsync(parkedKey, null, cancellationToken);
            return marker.Value;
        }

        if (marker.Value.State == DeliveryState.Running && marker.Value.LeaseUntil > now)
        {
            throw new DomainException(ErrorCode.RequestInProgress, $"This delivery is being retried now (until {marker.Value.LeaseUntil:O}); look again shortly.");
        }

        var (integrationEvent, subscribers) = SubscribersOf(parked.Event);
        var subscriber = subscribers.FirstOrDefault(s => s.Name == parked.Subscriber);
        if (parked.Subscriber == CatalogSubscriber && integrationEvent is not null)
        {
            // Readable now (a newer version is deployed): the retry delivers it to its real subscribers.
            subscriber = new Subscriber(CatalogSubscriber, (e, envelope, c, ct) => DeliverToAllAsync(envelope, e, c, ct));
        }

        if (subscriber is null)
        {
            throw new DomainException(ErrorCode.Conflict, $"{parked.Subscriber} no longer handles {parked.Event.Type}.");
        }

        Versioned<EventDelivery> claim;
        try
        {
            claim = await deliveries.ReplaceAsync(marker, Claimed(marker.Value), [], cancellationToken);
        }
        catch (ConcurrencyConflictException exception)
        {
            throw new DomainException(ErrorCode.RequestInProgress, "Someone is retrying this delivery at the same moment; look again shortly.", null, exception);
        }

        var outcome = await RunAndRecordAsync(claim, parked.Event, integrationEvent!, subscriber, context, parkAfterFailure: true, cancellationToken);
        if (outcome.State == DeliveryState.Done)
        {
            await parkedEvents.DeleteAsync(parkedKey, null, cancellationToken);
        }

        return outcome;
    }

    private async Task DeliverToAllAsync(EventEnvelope envelope, IntegrationEvent integrationEvent, EventContext context, CancellationToken cancellationToken)
    {
        var (_, subscribers) = SubscribersOf(envelope);
        foreach (var subscriber in subscribers)
        {
            var (outcome, _) = await DeliverAsync(envelope, integrationEvent, subscriber, context, cancellationToken);
            if (outcome.State is DeliveryState.Failed or DeliveryState.Running)
            {
                throw new InvalidOperationException($"{subscriber.Name} has not taken {envelope.Id} yet ({outcome.State}: {outcome.LastError}).");
            }
        }
    }

    private async Task<IReadOnlyList<FollowUp>> DispatchOutboxAsync(OutboxAnnouncement announcement, EventContext context, CancellationToken cancellationToken)
    {
        var address = announcement.Address;
        var read = await outboxes.ReadAsync(address, cancellationToken);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failures = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var runningElsewhere = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var passesForNewEvents = 0;
        while (read is not null && read.Events.Count > 0)
        {
            var finished = new HashSet<string>(StringComparer.Ordinal);
            var ranHere = false;
            runningElsewhere.Clear();
            foreach (var envelope in read.Events)
            {
                seen.Add(envelope.Id);
                var (complete, ran) = await DeliverEventAsync(envelope, failures, runningElsewhere, context, cancellationToken);
                ranHere |= ran;
                if (complete)
                {
                    finished.Add(envelope.Id);
                }
            }

            if (finished.Count > 0)
            {
                read = read with { Events = await outboxes.RemoveAsync(address, read, finished, cancellationToken) };
            }

            if (read.Events.Any(e => !seen.Contains(e.Id)))
            {
                // Events written while this pass ran (e.g. behind a delivery another instance was running):
                // a few more passes; beyond that their own announcements bring them.
                if (++passesForNewEvents >= MaxPasses)
                {
                    break;
                }

                read = await outboxes.ReadAsync(address, cancellationToken);
            }
            else if (!ranHere || runningElsewhere.Count == 0)
            {
                break;
            }

            // Else deliveries were running elsewhere while ours ran: look at them again now that ours
            // are recorded. Of two instances each waiting on the other, the one that records last sees
            // both done and removes the events. Bounded: each such pass ran a delivery to its end.
        }

        DateTimeOffset? lookAgainAt = failures.Values.Concat(runningElsewhere.Values).Select(t => (DateTimeOffset?)t).Min();
        var pending = seen;
        var now = time.GetUtcNow();
        var followUps = new List<FollowUp>();
        if (lookAgainAt is not null)
        {
            // No ids: they only serve to recognise a write that has not committed yet.
            followUps.Add(new FollowUp(new OutboxAnnouncement(address, [], now), Max(TimeSpan.Zero, lookAgainAt.Value - now)));
        }

        var unwritten = new List<string>();
        foreach (var id in announcement.EventIds.Except(pending))
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
                followUps.Add(new FollowUp(announcement with { EventIds = unwritten }, Max(TimeSpan.FromSeconds(1), Min(waited, TimeSpan.FromMinutes(2)))));
            }
            else
            {
                LogNeverWritten(logger, address.Table, OutboxRef(address), unwritten.Count);
            }
        }

        return followUps;
    }

    /// <summary>
    /// Delivers one event to each of its subscribers that is not waiting on an earlier event of the
    /// document: one whose delivery failed (until its next attempt) or is running elsewhere (until its
    /// lease ends). Complete when everyone is done with it; whether this instance ran any delivery.
    /// </summary>
    private async Task<(bool Complete, bool RanHere)> DeliverEventAsync(EventEnvelope envelope, Dictionary<string, DateTimeOffset> failures, Dictionary<string, DateTimeOffset> runningElsewhere, EventContext context, CancellationToken cancellationToken)
    {
        var (integrationEvent, subscribers) = SubscribersOf(envelope);
        var complete = true;
        var ranHere = false;
        foreach (var subscriber in subscribers)
        {
            if (failures.ContainsKey(subscriber.Name) || runningElsewhere.ContainsKey(subscriber.Name))
            {
                complete = false;
                continue;
            }

            var (delivery, ran) = await DeliverAsync(envelope, integrationEvent, subscriber, context, cancellationToken);
            ranHere |= ran;
            if (delivery.State is DeliveryState.Done or DeliveryState.Parked)
            {
                continue;
            }

            // Failed (retried later) or running elsewhere: this subscriber's later events of the document wait.
            complete = false;
            if (delivery.State == DeliveryState.Failed)
            {
                failures[subscriber.Name] = delivery.NextAttemptAt!.Value;
            }
            else
            {
                runningElsewhere[subscriber.Name] = delivery.LeaseUntil!.Value + LeaseMargin;
            }
        }

        return (complete, ranHere);
    }

    /// <summary>One subscriber's delivery: claimed (or taken over from a failed or expired attempt), run, recorded; or how it stands elsewhere.</summary>
    private async Task<(EventDelivery Delivery, bool RanHere)> DeliverAsync(EventEnvelope envelope, IntegrationEvent? integrationEvent, Subscriber subscriber, EventContext context, CancellationToken cancellationToken)
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
                return (current?.Value ?? new EventDelivery(envelope.Id, subscriber.Name, DeliveryState.Running, 0, now + options.Lease, null, null, now), false);
            }

            try
            {
                claim = await deliveries.ReplaceAsync(current, Claimed(current.Value), [], cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                return ((await deliveries.FindAsync(key, cancellationToken))?.Value ?? current.Value with { State = DeliveryState.Running, LeaseUntil = now + options.Lease }, false);
            }
        }

        return (await RunAndRecordAsync(claim, envelope, integrationEvent!, subscriber, context, parkAfterFailure: false, cancellationToken), true);
    }

    private async Task<EventDelivery> RunAndRecordAsync(Versioned<EventDelivery> claim, EventEnvelope envelope, IntegrationEvent integrationEvent, Subscriber subscriber, EventContext context, bool parkAfterFailure, CancellationToken cancellationToken)
    {
        EventDelivery outcome;
        try
        {
            outcome = await RunAsync(claim.Value, envelope, integrationEvent, subscriber, context, parkAfterFailure, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped mid-run (host shutdown, a closed request): hand the delivery back rather than hold it for the lease.
            await TryRecordAsync(claim, claim.Value with { State = DeliveryState.Failed, LeaseUntil = null, NextAttemptAt = time.GetUtcNow(), LastError = "Interrupted.", UpdatedAt = time.GetUtcNow() });
            throw;
        }

        if (await TryRecordAsync(claim, outcome) && outcome.State == DeliveryState.Parked)
        {
            // Counted once the parking is recorded: a delivery whose outcome did not stick runs and may park again.
            metrics.EventPoisoned(envelope.Type, subscriber.Name);
        }

        return outcome;
    }

    /// <summary>
    /// Records an outcome against the claim (a takeover after our lease ran out wins). Tried a few
    /// times, so a storage hiccup does not make a finished handler run again after the lease.
    /// </summary>
    /// <returns>Whether the outcome was recorded (not when a takeover had won).</returns>
    private async Task<bool> TryRecordAsync(Versioned<EventDelivery> claim, EventDelivery outcome)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await deliveries.ReplaceAsync(claim, outcome, [], CancellationToken.None);
                return true;
            }
            catch (ConcurrencyConflictException) when (attempt == 1)
            {
                return false;
            }
            catch (ConcurrencyConflictException)
            {
                // An earlier attempt that answered an error may have been written all the same: then what is stored is ours.
                return (await deliveries.FindAsync(claim.Key, CancellationToken.None))?.Value == outcome;
            }
            catch (Exception exception) when (attempt < OutcomeWriteAttempts)
            {
                LogOutcomeWriteFailed(logger, exception, ParkedEvent.IdFor(outcome.EventId, outcome.Subscriber), outcome.Subscriber, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), CancellationToken.None);
            }
        }
    }

    /// <summary>Runs the subscriber and says how its delivery stands now (a parked one is also listed for the operator).</summary>
    private async Task<EventDelivery> RunAsync(EventDelivery claim, EventEnvelope envelope, IntegrationEvent integrationEvent, Subscriber subscriber, EventContext context, bool parkAfterFailure, CancellationToken cancellationToken)
    {
        using var span = StartHandling(envelope, subscriber);
        try
        {
            await subscriber.Run(integrationEvent, envelope, context, cancellationToken);
            return claim with { State = DeliveryState.Done, LeaseUntil = null, NextAttemptAt = null, LastError = null, UpdatedAt = time.GetUtcNow() };
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            span?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            var error = Truncate($"{exception.GetType().Name}: {exception.Message}");
            var now = time.GetUtcNow();
            if (parkAfterFailure || claim.Attempts >= options.MaxAttempts)
            {
                // The listing first: a crash between the two writes leaves a visible record, never a silent one.
                var parked = new ParkedEvent(ParkedEvent.IdFor(envelope.Id, subscriber.Name), envelope, subscriber.Name, claim.Attempts, error, now);
                await parkedEvents.UpsertAsync(new DocumentKey(ParkedEvent.Partition, parked.Id), parked, CancellationToken.None);
                LogParked(logger, exception, ParkedEvent.IdFor(envelope.Id, subscriber.Name), envelope.Type, subscriber.Name, claim.Attempts);
                return claim with { State = DeliveryState.Parked, LeaseUntil = null, NextAttemptAt = null, LastError = error, UpdatedAt = now };
            }

            var next = now + options.RetryDelay(claim.Attempts);
            LogFailed(logger, exception, ParkedEvent.IdFor(envelope.Id, subscriber.Name), envelope.Type, subscriber.Name, claim.Attempts, next);
            return claim with { State = DeliveryState.Failed, LeaseUntil = null, NextAttemptAt = next, LastError = error, UpdatedAt = now };
        }
    }

    /// <summary>
    /// A subscriber's run continues the trace of the write that recorded the event (its outbox kept the context), so
    /// a request's trace goes on into what its events cause (an orchestration started, a message sent); the dispatch
    /// invocation that carries it, which may carry events of many requests, is linked.
    /// </summary>
    private static Activity? StartHandling(EventEnvelope envelope, Subscriber subscriber)
    {
        var invocation = Activity.Current;
        var origin = ActivityContext.TryParse(envelope.TraceParent, null, out var recorded) ? recorded : default;
        var span = MallTelemetry.Source.StartActivity(
            $"handle {envelope.Type}",
            ActivityKind.Consumer,
            origin,
            links: origin != default && invocation is not null ? [new ActivityLink(invocation.Context)] : null);
        span?.SetTag("mall.event_type", envelope.Type);
        span?.SetTag("mall.subscriber", subscriber.Name);
        return span;
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

    /// <summary>
    /// The event's handlers, then the bus. An event this version cannot read has one stand-in
    /// subscriber that fails, so it stays (retried, for a version that can read it) and is parked in
    /// the end, holding back nothing else.
    /// </summary>
    private (IntegrationEvent? Event, IReadOnlyList<Subscriber> Subscribers) SubscribersOf(EventEnvelope envelope)
    {
        IntegrationEvent integrationEvent;
        try
        {
            integrationEvent = EventCatalog.Open(envelope);
        }
        catch (Exception exception)
        {
            LogUnreadable(logger, exception, Domain.Common.Ids.Derive("EV", envelope.Id), envelope.Type);
            return (null, [new Subscriber(CatalogSubscriber, (_, _, _, _) => throw new UnknownEventException(envelope, exception))]);
        }

        var handlers = subscriptions.For(integrationEvent.GetType()).Select(s => new Subscriber(s.Name, (e, _, c, ct) => s.Run(e, c, ct)));
        return (integrationEvent, [.. handlers, new Subscriber(BusSubscriber, (_, e, _, ct) => bus.PublishAsync(e, ct))]);
    }

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private sealed record Subscriber(string Name, Func<IntegrationEvent, EventEnvelope, EventContext, CancellationToken, Task> Run);

    private sealed record FollowUp(OutboxAnnouncement Announcement, TimeSpan Delay);

    // Log lines name deliveries, events and outboxes by derived ids: event ids and outbox keys may hold a customer id
    // (customer:{id}:registered, Customers/{id}/…), and logs are telemetry. A delivery's id is the one a parked
    // delivery is listed under (GET manage/events/parked).
    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery {Delivery} ({Type}): {Subscriber} failed (attempt {Attempts}); retried at {NextAttemptAt}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string delivery, string type, string subscriber, int attempts, DateTimeOffset nextAttemptAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery {Delivery} ({Type}): {Subscriber} failed {Attempts} times and is parked for an operator")]
    private static partial void LogParked(ILogger logger, Exception exception, string delivery, string type, string subscriber, int attempts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {Event} ({Type}) cannot be read by this version; it waits for one that can")]
    private static partial void LogUnreadable(ILogger logger, Exception exception, string @event, string type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox {Outbox} of {Table} could not be dispatched (retry {Retries}); it is tried again on its own")]
    private static partial void LogOutboxFailed(ILogger logger, Exception exception, string table, string outbox, int retries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording delivery {Delivery} ({Subscriber}) failed (attempt {Attempt})")]
    private static partial void LogOutcomeWriteFailed(ILogger logger, Exception exception, string delivery, string subscriber, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} announced events of outbox {Outbox} of {Table} were never written (the write failed)")]
    private static partial void LogNeverWritten(ILogger logger, string table, string outbox, int count);

    private static string OutboxRef(OutboxAddress address) => Domain.Common.Ids.Derive("OB", address.ToString());
}
