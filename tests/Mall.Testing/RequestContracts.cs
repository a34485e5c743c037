using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FluentValidation;
using Mall.Application.Orders;

namespace Mall.Testing;

/// <summary>One id a request body carries: its request type, its JSON path as errors name it, and a body holding a value there.</summary>
public sealed record IdField(Type Request, string Path, Func<string, JsonObject> BodyWith)
{
    public override string ToString() => $"{Request.Name}.{Path}";
}

/// <summary>
/// The request bodies the API reads — every request record of Mall.Application that has a validator —
/// and the ids in them, found by name (…Id, …Ids, InviteCode), nested items included, so a new request
/// or a new id field is covered by the tests that use this without being listed anywhere.
/// </summary>
public static class RequestContracts
{
    public static IReadOnlyList<Type> Types { get; } = typeof(CheckoutRequest).Assembly.GetTypes()
        .Where(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(AbstractValidator<>))
        .Select(t => t.BaseType!.GetGenericArguments()[0])
        .Distinct()
        .ToList();

    public static IReadOnlyList<IdField> IdFields { get; } = Types.SelectMany(type => FieldsOf(type, type, string.Empty)).ToList();

    /// <summary>One JSON object with every id field of every request set to <paramref name="value"/>: each route meets the ids it takes.</summary>
    public static string BodyWithEveryId(string value)
    {
        var body = new JsonObject();
        foreach (var field in IdFields)
        {
            foreach (var (name, node) in field.BodyWith(value))
            {
                body[name] = node?.DeepClone();
            }
        }

        return body.ToJsonString();
    }

    private static bool IsIdName(string name) =>
        name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Ids", StringComparison.Ordinal) || name == "InviteCode";

    private static IEnumerable<IdField> FieldsOf(Type request, Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
            var element = property.PropertyType.IsGenericType ? property.PropertyType.GetGenericArguments()[^1] : null;
            if (property.PropertyType == typeof(string) && IsIdName(property.Name))
            {
                yield return new IdField(request, prefix + name, value => new JsonObject { [name] = value });
            }
            else if (element == typeof(string) && IsIdName(property.Name))
            {
                yield return new IdField(request, $"{prefix}{name}[0]", value => new JsonObject { [name] = new JsonArray(JsonValue.Create(value)) });
            }
            else if (element is { IsClass: true } && element != typeof(string) && element.Assembly == type.Assembly)
            {
                foreach (var nested in FieldsOf(request, element, $"{prefix}{name}[0]."))
                {
                    yield return nested with { BodyWith = value => new JsonObject { [name] = new JsonArray(nested.BodyWith(value)) } };
                }
            }
        }
    }
}
