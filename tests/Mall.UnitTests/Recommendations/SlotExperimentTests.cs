using Mall.Domain.Analytics;

namespace Mall.UnitTests.Recommendations;

public sealed class SlotExperimentTests
{
    [Theory]
    [InlineData(TrackedEvent.RecommendationClick, "home-feed/personal", true)]
    [InlineData(TrackedEvent.RecommendationClick, "home-feed/popular", true)]
    [InlineData(TrackedEvent.RecommendationClick, "product-related/related", false)]
    [InlineData(TrackedEvent.RecommendationClick, "home-feeder/personal", false)]
    [InlineData(TrackedEvent.RecommendationClick, null, false)]
    [InlineData(TrackedEvent.ProductView, null, false)]
    [InlineData(TrackedEvent.ProductView, "home-feed/personal", false)]
    [InlineData(TrackedEvent.AddToCart, null, true)]
    [InlineData(TrackedEvent.CheckoutStart, null, true)]
    [InlineData(TrackedEvent.OrderPaid, null, true)]
    public void An_experiment_on_a_slot_converts_on_a_click_in_that_slot_not_on_any_product_view(TrackedEvent type, string? slot, bool counts) =>
        Assert.Equal(counts, TrackedEvents.CountsForSlotExperiment(type, slot, "home-feed"));
}
