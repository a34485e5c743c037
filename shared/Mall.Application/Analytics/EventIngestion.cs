using Mall.Application.Recommendations;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Domain.Recommendations;

namespace Mall.Application.Analytics;

/// <summary>
/// POST /api/events: checks each event on its own (a bad one is reported by index, the good ones are
/// kept), counts each once in the ledger, and tells the experiments what the visitor did.
/// </summary>
public sealed class EventIngestion(IEventLedger ledger, AnalyticsFigures figures, ExperimentService experiments, CustomerInterests interests, AnalyticsOptions options, RecommendationOptions recommendations, TimeProvider time)
{
    public async Task<EventBatchResult> RecordAsync(string? customerId, EventBatchRequest request, CancellationToken cancellationToken)
    {
        var visitor = Visitor(customerId, request.DeviceId);
        var events = request.Events ?? throw DomainException.Validation("events", "Send the events as a list.");
        if (events.Count > options.MaxEventsPerBatch)
        {
            throw DomainException.Validation("events", $"At most {options.MaxEventsPerBatch} events per request.");
        }

        var now = time.GetUtcNow();
        var recent = await experiments.RecentAsync(cancellationToken);
        var rejected = new List<RejectedEvent>();
        var accepted = new List<(LedgerEvent Event, string? ExperimentId)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < events.Count; index++)
        {
            var (problem, type) = Check(events[index], now, recent);
            if (problem is not null)
            {
                rejected.Add(new RejectedEvent(index, $"events[{index}]{(problem.Value.Field.Length > 0 ? "." + problem.Value.Field : string.Empty)}", problem.Value.Message));
                continue;
            }

            var input = events[index]!;
            var good = new LedgerEvent(input.Id!, type, input.OccurredAt!.Value.ToUniversalTime(), ProductId: input.ProductId, Slot: input.Slot is null ? null : $"{input.Slot}/{input.Algorithm}");
            if (seen.Add(LedgerKeys.EventRow(good.OccurredAt, visitor, good.Key)))
            {
                accepted.Add((good, input.ExperimentId));
            }
        }

        var recorded = new List<RecordedEvent>();
        foreach (var day in accepted.GroupBy(a => ChinaTime.DateOf(a.Event.OccurredAt)))
        {
            recorded.AddRange(await ledger.RecordAsync(visitor, day.Key, day.Select(a => a.Event).ToList(), isVisit: true, now, cancellationToken));
        }

        await figures.MarkLateAsync(recorded, cancellationToken);
        foreach (var exposure in accepted.Where(a => a.Event.Type == TrackedEvent.ExperimentExposure))
        {
            await experiments.ExposeAsync(recent.First(e => e.Id == exposure.ExperimentId), visitor, exposure.Event.OccurredAt, cancellationToken);
        }

        // The feed experiment measures the feed's click-through: only a click in the feed converts, not any product view.
        var tracked = accepted.Select(a => a.Event).ToList();
        var feedId = recommendations.FeedExperimentId;
        await experiments.TrackAsync(recent.Where(e => e.Id != feedId).ToList(), visitor, tracked, cancellationToken);
        if (recent.Where(e => e.Id == feedId).ToList() is { Count: > 0 } feed)
        {
            await experiments.TrackAsync(feed, visitor, tracked.Where(e => TrackedEvents.CountsForSlotExperiment(e.Type, e.Slot, RecommendationSlots.HomeFeed)).ToList(), cancellationToken);
        }

        if (customerId is not null)
        {
            // The personal feed follows what a signed-in customer looks at.
            await interests.ViewedAsync(customerId, accepted.Where(a => a.Event.Type == TrackedEvent.ProductView).Select(a => new Interaction(a.Event.ProductId!, a.Event.OccurredAt)).ToList(), cancellationToken);
        }

        var counted = recorded.Count(r => r.New);
        return new EventBatchResult(counted, events.Count - rejected.Count - counted, rejected);
    }

    /// <summary>Who the events are about: the signed-in customer, else the device the body names.</summary>
    public static string Visitor(string? customerId, string? deviceId)
    {
        if (customerId is not null)
        {
            return LedgerKeys.CustomerVisitor(customerId);
        }

        return Ids.IsWellFormed(deviceId)
            ? LedgerKeys.DeviceVisitor(deviceId!)
            : throw DomainException.Validation("deviceId", $"Sign in, or name the device: an id ({Ids.Rule}).");
    }

    private ((string Field, string Message)? Problem, TrackedEvent Type) Check(EventInput? input, DateTimeOffset now, IReadOnlyList<Experiment> recent)
    {
        if (input is null)
        {
            return ((string.Empty, "An event object is required."), default);
        }

        if (!Ids.IsWellFormed(input.Id))
        {
            return (("id", $"Must be an id: {Ids.Rule}."), default);
        }

        if (!TrackedEvents.TryParseClientType(input.Type, out var type))
        {
            return (("type", "Must be one of " + string.Join(", ", TrackedEvents.ClientTypes) + "."), type);
        }

        if (input.OccurredAt is not { } occurredAt)
        {
            return (("occurredAt", "When it happened is required (ISO 8601 with an offset)."), type);
        }

        if (occurredAt < now.AddHours(-options.MaxEventAgeHours) || occurredAt > now.AddMinutes(options.MaxClockSkewMinutes))
        {
            return (("occurredAt", $"Must be within the last {options.MaxEventAgeHours} hours and not more than {options.MaxClockSkewMinutes} minutes ahead."), type);
        }

        if (input.ProductId is not null && !Ids.IsWellFormed(input.ProductId))
        {
            return (("productId", $"Must be an id: {Ids.Rule}."), type);
        }

        if (type is TrackedEvent.ProductView or TrackedEvent.AddToCart && input.ProductId is null)
        {
            return (("productId", "Required for product_view and add_to_cart."), type);
        }

        if (TrackedEvents.IsAboutSlot(type) && input.Slot is null)
        {
            return (("slot", "Required for recommendation_impression and recommendation_click: the slot the list names."), type);
        }

        // Only the mall's own slots and algorithms: each name becomes an entry of every hour's tally.
        var knownSlot = input.Slot is { } slot && RecommendationSlots.All.Contains(slot);
        if (input.Slot is not null && !(knownSlot && input.Algorithm is { } algorithm && RecommendationAlgorithms.All.Contains(algorithm)))
        {
            return knownSlot
                ? (("algorithm", $"The algorithm the recommendation list names: one of {string.Join(", ", RecommendationAlgorithms.All)}."), type)
                : (("slot", $"The slot the recommendation list names: one of {string.Join(", ", RecommendationSlots.All)}."), type);
        }

        if (type == TrackedEvent.ExperimentExposure && !recent.Any(e => e.Id == input.ExperimentId && e.Counts(occurredAt)))
        {
            return (("experimentId", "Must name an experiment that was running when the event happened."), type);
        }

        return (null, type);
    }
}
