using System.Reflection;
using Mall.Application;
using Mall.Application.Administration;
using Mall.Infrastructure;
using Mall.Infrastructure.WeChat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mall.UnitTests.Platform;

/// <summary>Settings are checked by validator classes found by assembly scan, when the host starts.</summary>
public sealed class SettingsValidationTests
{
    // Options classes without a validator class, and why.
    private static readonly Dictionary<Type, string> Exempt = new()
    {
        [typeof(AdminOptions)] = "no operator account is valid, and a hash is checked when its operator signs in",
        [typeof(MessagingOptions)] = "names only; an empty namespace means the storage-queue fallback",
    };

    [Theory]
    [InlineData("Orders:MaxLinesPerOrder", "0")]
    [InlineData("Events:Lease", "00:00:00")]
    [InlineData("Promotions:MemberDayOfMonth", "31")]
    [InlineData("Fission:Bargains:DailyBudgetFen", "-1")]
    [InlineData("Sharing:LandingPath", "s")]
    [InlineData("Compliance:PayoutChannelCapBps", "10001")]
    [InlineData("CardCollecting:RedeemDaysAfterEnd", "91")]
    [InlineData("Storage:ConnectionString", "")]
    public async Task A_bad_setting_stops_the_host_naming_the_setting(string key, string value)
    {
        using var host = Host(new() { [key] = value });

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.StartAsync());

        var failures = (refused as AggregateException)?.InnerExceptions ?? [refused];
        var failure = Assert.IsType<OptionsValidationException>(Assert.Single(failures));
        Assert.Contains(key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Valid_settings_start_the_host()
    {
        using var host = Host([]);

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public void Every_options_class_has_a_validator_class_or_is_deliberately_exempt()
    {
        var services = new ServiceCollection()
            .AddMallApplication(new ConfigurationBuilder().Build())
            .AddMallInfrastructure(new ConfigurationBuilder().Build())
            .AddWeChat(new ConfigurationBuilder().Build());
        Assembly[] ours = [typeof(MallApplicationServices).Assembly, typeof(MallInfrastructureServices).Assembly];

        // A lambda (OptionsBuilder.Validate) registers the framework's ValidateOptions<T>: that does not count.
        var validated = services
            .Where(s => s.ServiceType.IsGenericType && s.ServiceType.GetGenericTypeDefinition() == typeof(IValidateOptions<>)
                && s.ImplementationType is { } type && ours.Contains(type.Assembly))
            .Select(s => s.ServiceType.GetGenericArguments()[0])
            .ToHashSet();
        var optionsTypes = ours.SelectMany(a => a.GetTypes())
            .Where(t => t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is not null || t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not null)
            .ToList();

        Assert.True(optionsTypes.Count > 20, "Options classes are found by their SectionName (or Section) constant.");
        var unvalidated = optionsTypes.Except(validated).Except(Exempt.Keys).Select(t => t.Name).Order().ToList();
        Assert.True(unvalidated.Count == 0, "Options without a SettingsValidator (add one next to the options class): " + string.Join(", ", unvalidated));
        Assert.Empty(Exempt.Keys.Intersect(validated));
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development",
            ["Storage:ConnectionString"] = "UseDevelopmentStorage=true",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMallApplication(builder.Configuration).AddMallInfrastructure(builder.Configuration);
        return builder.Build();
    }
}
