using System.Reflection;
using System.Runtime.CompilerServices;
using Mall.Application;
using Mall.Domain.Orders;

namespace Mall.UnitTests.Platform;

/// <summary>One source per default: the options class. The domain rules it builds hold no defaults of their own.</summary>
public sealed class OptionDefaultsTests
{
    [Fact]
    public void Rules_built_from_settings_take_every_value_from_the_options_class()
    {
        var built = typeof(MallApplicationServices).Assembly.GetTypes()
            .Where(type => type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not null)
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(method => method.Name.StartsWith("To", StringComparison.Ordinal) && method.GetParameters().Length == 0
                && method.ReturnType.Assembly == typeof(OrderPolicy).Assembly)
            .Select(method => method.ReturnType)
            .Distinct()
            .ToList();

        Assert.Contains(typeof(OrderPolicy), built);
        var withDefaults = built
            .SelectMany(type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(property => property.SetMethod is not null && property.GetCustomAttribute<RequiredMemberAttribute>() is null)
                .Select(property => $"{type.Name}.{property.Name}"))
            .ToList();
        Assert.True(withDefaults.Count == 0, "Make these required (their default belongs to the options class): " + string.Join(", ", withDefaults));
    }
}
