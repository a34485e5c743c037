using Mall.Application;
using Mall.Application.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.UnitTests.Orders;

public sealed class OrderSettingsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("101")]
    public void Lines_per_order_are_capped_so_an_order_stays_one_bounded_document(string maxLines)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMallApplication(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Orders:MaxLinesPerOrder"] = maxLines }).Build());
        using var provider = services.BuildServiceProvider();

        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<OrderOptions>());

        Assert.Contains("MaxLinesPerOrder", refused.Message, StringComparison.Ordinal);
    }
}
