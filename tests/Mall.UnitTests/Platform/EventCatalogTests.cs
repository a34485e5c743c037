using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Orders;
using Mall.Testing;

namespace Mall.UnitTests.Platform;

/// <summary>
/// docs/events.md is the contract downstream teams (ERP, WMS, BI) build on: these tests fail when an
/// event, a field or a field's type in the code is not what the catalog says, or the other way round.
/// </summary>
public sealed partial class EventCatalogTests
{
    private static readonly string CatalogPath = Path.Combine(RepositoryPaths.Root, "docs", "events.md");

    [Fact]
    public void Every_event_type_is_in_the_catalog_and_every_catalog_entry_is_an_event_type()
    {
        var documented = Sections().Keys.Order().ToList();

        Assert.Equal(EventCatalog.Types.Select(t => t.Name).Order().ToList(), documented);
    }

    [Fact]
    public void Each_event_and_shared_object_is_documented_with_exactly_its_fields_and_types()
    {
        var problems = new List<string>();
        var shared = new HashSet<Type>();
        var sections = Sections();
        foreach (var type in EventCatalog.Types.OrderBy(t => t.Name))
        {
            var section = sections.GetValueOrDefault(type.Name) ?? string.Empty;
            problems.AddRange(FieldProblems("###", type, section, shared));
            if (!section.Contains("**When:**", StringComparison.Ordinal))
            {
                problems.Add($"### {type.Name} does not say when it is raised (**When:** …).");
            }
        }

        var objects = Sections("####");
        for (var checkedTypes = new HashSet<Type>(); shared.Except(checkedTypes).FirstOrDefault() is { } type; checkedTypes.Add(type))
        {
            problems.AddRange(FieldProblems("####", type, objects.GetValueOrDefault(type.Name) ?? string.Empty, shared));
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
        Assert.Equal(shared.Select(t => t.Name).Order(), objects.Keys.Order());
    }

    [Fact]
    public void Every_handler_subscribes_to_event_types_of_the_catalog()
    {
        var subscriptions = RegisteredSubscriptions.Load().All;

        Assert.NotEmpty(subscriptions);
        Assert.All(subscriptions, s => Assert.Contains(EventCatalog.Types, t => s.EventType.IsAssignableFrom(t)));
    }

    [Fact]
    public void An_event_travels_as_its_envelope_and_comes_back_equal()
    {
        var paid = new OrderPaid(new OrderFacts("O1", "C1", 6_800, new OrderSource("groupBuy", "GB1", "G1"), null, false, 0), 6_800, "4200001", DateTimeOffset.UnixEpoch) { OccurredAt = DateTimeOffset.UnixEpoch };
        var points = new PointsChanged("C1", "O1|redeemed#2", "O1", -300) { OccurredAt = DateTimeOffset.UnixEpoch };

        foreach (var integrationEvent in new IntegrationEvent[] { paid, points })
        {
            var envelope = EventCatalog.Seal(integrationEvent);

            Assert.Equal((integrationEvent.Id, integrationEvent.Name, integrationEvent.SubjectId), (envelope.Id, envelope.Type, envelope.SubjectId));
            Assert.False(envelope.Data.TryGetProperty("id", out _));
            Assert.Equal(integrationEvent, EventCatalog.Open(envelope));
        }
    }

    private static IEnumerable<string> FieldProblems(string level, Type type, string section, HashSet<Type> shared)
    {
        var expected = Fields(EventCatalog.TypeInfo(type), shared).ToList();
        var documented = FieldRow().Matches(section).Select(m => (Field: m.Groups["field"].Value, Type: m.Groups["type"].Value.Trim())).ToList();
        return expected.SequenceEqual(documented)
            ? []
            : [$"{level} {type.Name}: the fields table should be\n" + string.Join('\n', expected.Select(f => $"| `{f.Field}` | {f.Type} | … |"))];
    }

    /// <summary>The sections of the catalog at a heading level ("###" events, "####" shared objects), each up to the next heading.</summary>
    private static Dictionary<string, string> Sections(string level = "###")
    {
        var text = File.ReadAllText(CatalogPath);
        return new Regex($@"^{level} (?<name>[A-Za-z]+)\s*$", RegexOptions.Multiline).Matches(text).ToDictionary(
            m => m.Groups["name"].Value,
            m =>
            {
                var next = Heading().Match(text, m.Index + m.Length);
                return text[(m.Index + m.Length)..(next.Success ? next.Index : text.Length)];
            });
    }

    /// <summary>The wire fields of a type; the object types they hold are added to <paramref name="shared"/> (documented once each).</summary>
    private static IEnumerable<(string Field, string Type)> Fields(JsonTypeInfo typeInfo, HashSet<Type> shared)
    {
        var nullability = new NullabilityInfoContext();
        foreach (var property in typeInfo.Properties)
        {
            var nullable = property.AttributeProvider is PropertyInfo info && nullability.Create(info).ReadState == NullabilityState.Nullable;
            var kind = Describe(property.PropertyType, shared);
            yield return (property.Name, nullable ? kind + " or null" : kind);
        }
    }

    private static string Describe(Type type, HashSet<Type> shared)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return "string";
        }

        if (type == typeof(long) || type == typeof(int))
        {
            return "integer";
        }

        if (type == typeof(double))
        {
            return "number";
        }

        if (type == typeof(bool))
        {
            return "boolean";
        }

        if (type == typeof(DateTimeOffset))
        {
            return "date-time";
        }

        if (type.IsEnum)
        {
            return $"string: {string.Join(", ", Enum.GetNames(type).Select(n => char.ToLowerInvariant(n[0]) + n[1..]))}";
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
        {
            return "array of " + Describe(type.GetGenericArguments()[0], shared);
        }

        shared.Add(type);
        return $"[{type.Name}](#{type.Name.ToLowerInvariant()})";
    }

    [GeneratedRegex(@"^#{1,4} ", RegexOptions.Multiline)]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\| `(?<field>[A-Za-z]+)` \| (?<type>[^|]+) \|", RegexOptions.Multiline)]
    private static partial Regex FieldRow();
}
