using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Analytics;

/// <summary>Found walking the README: exposures are stamped by the mall's clock, the phone's events by its own.</summary>
public sealed class ExperimentClockTests
{
    [Fact]
    public async Task A_conversion_stamped_by_a_phone_a_little_behind_the_malls_clock_still_counts()
    {
        // The mall records the exposure at 10:00:15.734; the phone adds to cart right after, its clock saying
        // 10:00:15 (whole seconds, as `date +%FT%TZ` and many phones send) — earlier than the exposure.
        var now = new DateTimeOffset(2026, 12, 2, 2, 0, 15, 734, TimeSpan.Zero);
        var time = new FakeTimeProvider(now);
        await using var mall = await MallFixture.StartAsync(time);
        var experiments = mall.Get<ExperimentService>();
        await experiments.CreateAsync(new ExperimentRequest { Id = "clock-skew", Name = "clock skew", Metric = FunnelStage.AddToCart, Variants = [new VariantRequest("control", 1), new VariantRequest("red", 1)], StartsAt = now.AddHours(-1), EndsAt = now.AddDays(1) }, CancellationToken.None);

        await experiments.AssignAsync("clock-skew", EventIngestion.Visitor(null, "phone-1"), CancellationToken.None);
        var sent = await mall.Get<EventIngestion>().RecordAsync(null, new EventBatchRequest("phone-1", [new EventInput("cart-1", "add_to_cart", now.AddMilliseconds(-734), "P1", null)]), CancellationToken.None);

        var results = await experiments.ResultsAsync("clock-skew", CancellationToken.None);
        Assert.Equal(1, sent.Accepted);
        Assert.Equal((1L, 1L), (results.Variants.Sum(v => v.Exposures), results.Variants.Sum(v => v.Conversions)));
    }
}
