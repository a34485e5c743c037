using Mall.Application;
using Mall.Application.Platform;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Testing;

/// <summary>The event subscriptions exactly as the mall registers them (default settings), for tests about who handles what.</summary>
public static class RegisteredSubscriptions
{
    public static EventSubscriptions Load()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMallApplication(new ConfigurationBuilder().Build());
        using var provider = services.BuildServiceProvider();
        return new EventSubscriptions(provider.GetRequiredService<EventSubscriptions>().All);
    }
}
