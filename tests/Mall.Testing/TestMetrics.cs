using System.Diagnostics.Metrics;
using Mall.Application.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Testing;

/// <summary>Metrics for services a test builds by hand: a meter factory of their own, as a host's container has.</summary>
public static class TestMetrics
{
    public static MallMetrics Create() => new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
