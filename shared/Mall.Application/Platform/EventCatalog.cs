using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>
/// An integration event as the outbox stores it and Service Bus carries it: a header (id, wire name,
/// the business object it is about) and the event's own fields as <see cref="Data"/>.
/// </summary>
public sealed record EventEnvelope(string Id, string Type, string SubjectId, JsonElement Data)
{
    /// <summary>
    /// The W3C trace context of the write that recorded the event (null without one): its handlers, run later from
    /// the dispatch queue, continue that trace, and downstream consumers can join it.
    /// </summary>
    public string? TraceParent { get; init; }
}

/// <summary>
/// Every integration event type of the mall — the concrete <see cref="IntegrationEvent"/> records of
/// the domain — by wire name, and their envelopes. The wire name is the type's name, so a search for
/// "OrderPaid" finds its producers and consumers alike.
/// </summary>
public static class EventCatalog
{
    private static readonly Dictionary<string, Type> ByName = typeof(IntegrationEvent).Assembly.GetTypes()
        .Where(type => type.IsSubclassOf(typeof(IntegrationEvent)) && !type.IsAbstract)
        .ToDictionary(type => type.Name, StringComparer.Ordinal);

    /// <summary>MallJson, minus the header fields (they are the envelope's).</summary>
    private static readonly JsonSerializerOptions DataOptions = CreateDataOptions();

    public static IReadOnlyCollection<Type> Types => ByName.Values;

    public static EventEnvelope Seal(IntegrationEvent integrationEvent) =>
        new(integrationEvent.Id, integrationEvent.Name, integrationEvent.SubjectId, JsonSerializer.SerializeToElement(integrationEvent, integrationEvent.GetType(), DataOptions))
        {
            TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
        };

    /// <exception cref="UnknownEventException">The envelope names no event type of this version of the mall.</exception>
    public static IntegrationEvent Open(EventEnvelope envelope) =>
        ByName.TryGetValue(envelope.Type, out var type)
            ? (IntegrationEvent)(envelope.Data.Deserialize(type, DataOptions) ?? throw new UnknownEventException(envelope))
            : throw new UnknownEventException(envelope);

    /// <summary>The data fields of an event type as they appear on the wire (for the event catalog document).</summary>
    public static IEnumerable<JsonPropertyInfo> DataProperties(Type eventType) => DataOptions.GetTypeInfo(eventType).Properties;

    public static JsonTypeInfo TypeInfo(Type type) => DataOptions.GetTypeInfo(type);

    private static JsonSerializerOptions CreateDataOptions()
    {
        var options = new JsonSerializerOptions(MallJson.Options)
        {
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { HideHeaderFields } },
        };
        options.MakeReadOnly();
        return options;
    }

    private static void HideHeaderFields(JsonTypeInfo typeInfo)
    {
        if (!typeInfo.Type.IsSubclassOf(typeof(IntegrationEvent)))
        {
            return;
        }

        for (var i = typeInfo.Properties.Count - 1; i >= 0; i--)
        {
            if (typeInfo.Properties[i].AttributeProvider is PropertyInfo property
                && property.GetMethod?.GetBaseDefinition().DeclaringType == typeof(IntegrationEvent)
                && property.Name != nameof(IntegrationEvent.OccurredAt))
            {
                typeInfo.Properties.RemoveAt(i);
            }
        }
    }
}

/// <summary>An outbox holds an event this version of the mall cannot read (e.g. a type or value of a newer version).</summary>
public sealed class UnknownEventException(EventEnvelope envelope, Exception? innerException = null)
    : Exception($"Event {envelope.Id} ({envelope.Type}) cannot be read by this version{(innerException is null ? string.Empty : ": " + innerException.Message)}.", innerException);
