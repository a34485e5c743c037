using System.Globalization;
using System.Reflection;
using Mall.Application.Platform;
using Mall.Infrastructure;

namespace Mall.InfraBicep.Tests;

/// <summary>
/// The app's options classes read by reflection: every setting they bind (as an app setting key,
/// e.g. Orders__UnpaidTimeoutMinutes) and the default a new instance holds.
/// </summary>
public static class AppOptions
{
    private static readonly Assembly[] Assemblies = [typeof(EventOptions).Assembly, typeof(MallInfrastructureServices).Assembly];

    private static readonly List<string> MapPrefixes = [];

    /// <summary>Every scalar setting of every options class, with its default (null when it has none: null or empty).</summary>
    public static IReadOnlyDictionary<string, string?> Settings { get; } = Read();

    /// <summary>Whether an options class reads this key: a scalar setting, or an entry of a dictionary setting.</summary>
    public static bool Binds(string key) =>
        Settings.ContainsKey(key) || MapPrefixes.Any(prefix => key.StartsWith(prefix + "__", StringComparison.Ordinal));

    public static IEnumerable<Type> OptionsTypes() =>
        Assemblies.SelectMany(assembly => assembly.GetTypes()).Where(type => SectionOf(type) is not null);

    public static string? SectionOf(Type type) =>
        type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string
        ?? type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() as string;

    private static Dictionary<string, string?> Read()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var type in OptionsTypes())
        {
            Collect(settings, SectionOf(type)!, Activator.CreateInstance(type)!);
        }

        return settings;
    }

    private static void Collect(Dictionary<string, string?> settings, string prefix, object instance)
    {
        foreach (var property in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}__{property.Name}";
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var value = property.GetValue(instance);
            if (IsScalar(type) && property.CanWrite)
            {
                settings[key] = value switch
                {
                    null => null,
                    string text => text.Length == 0 ? null : text,
                    IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                };
            }
            else if (type.IsAssignableTo(typeof(System.Collections.IDictionary)) || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)))
            {
                MapPrefixes.Add(key);
            }
            else if (value is not null && type.IsClass && type.Namespace?.StartsWith("Mall.", StringComparison.Ordinal) == true)
            {
                Collect(settings, key, value);
            }
        }
    }

    private static bool IsScalar(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan) || type == typeof(Uri);
}
