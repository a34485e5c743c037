using FluentValidation.Results;
using Mall.Application.Analytics;
using Mall.Application.Recommendations;
using Mall.Domain.Analytics;

namespace Mall.UnitTests.Analytics;

/// <summary>
/// Review findings on the experiment definition's validation (ExperimentContracts.cs). FluentValidation's When applies to every
/// validator before it in the chain, so "NotNull()….When(x is not null)" never reports a missing value; and a rule that dereferences
/// a null collection throws. Each case below reaches ExperimentService.CreateAsync ('!.Value', '!.Select') or storage, and the API
/// answers 500 instead of a 400 naming the field.
/// </summary>
public sealed class AnalyticsReviewTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private const string FeedExperimentId = "feed-ab";

    private static readonly VariantRequest[] TwoVariants = [new("control", 1), new("red", 1)];

    private static ExperimentRequest Valid => new() { Id = "cart-colour", Name = "Cart colour", Metric = FunnelStage.AddToCart, Variants = TwoVariants, StartsAt = Start, EndsAt = Start.AddDays(7) };

    private static ValidationResult Validate(ExperimentRequest request)
    {
        ValidationResult? result = null;
        var thrown = Record.Exception(() => result = new ExperimentRequestValidator(new RecommendationOptions { FeedExperimentId = FeedExperimentId }).Validate(request));
        Assert.True(thrown is null, $"The validator threw {thrown?.GetType().Name} instead of reporting the field: {thrown?.Message}");
        return result!;
    }

    [Fact]
    public void The_well_formed_definition_is_valid() => Assert.True(Validate(Valid).IsValid);

    [Fact]
    public void The_feed_experiment_must_compare_personal_with_popular_on_product_views()
    {
        // Any other variant names would show every customer the personal feed: an A/A test reported as A/B.
        var feed = Valid with { Id = FeedExperimentId, Metric = FunnelStage.ProductView, Variants = [new("popular", 1), new("personal", 1)] };

        Assert.True(Validate(feed).IsValid);
        Assert.Equal(["Variants"], Validate(feed with { Variants = TwoVariants }).Errors.Select(e => e.PropertyName));
        Assert.Equal(["Metric"], Validate(feed with { Metric = FunnelStage.AddToCart }).Errors.Select(e => e.PropertyName));
        Assert.True(Validate(Valid).IsValid);
    }

    [Fact]
    public void An_experiment_without_startsAt_is_invalid_and_names_the_field()
    {
        var result = Validate(Valid with { StartsAt = null });

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(ExperimentRequest.StartsAt));
    }

    [Fact]
    public void An_experiment_without_endsAt_is_invalid_and_names_the_field()
    {
        var result = Validate(Valid with { EndsAt = null });

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(ExperimentRequest.EndsAt));
    }

    [Fact]
    public void An_experiment_without_variants_is_invalid_and_names_the_field()
    {
        var result = Validate(Valid with { Variants = null });

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(ExperimentRequest.Variants));
    }

    /// <summary>
    /// The enum converter reads "paid, productView" as ProductView | Paid = 5 (and "addToCart, productView" as 3 = Checkout):
    /// a value that is no funnel stage passes NotNull/NotEqual(Visit), and then cannot even be written (JsonException → 500).
    /// </summary>
    [Fact]
    public void A_metric_that_is_no_funnel_stage_is_invalid()
    {
        var result = Validate(Valid with { Metric = FunnelStage.ProductView | FunnelStage.Paid });

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.PropertyName == nameof(ExperimentRequest.Metric));
    }
}
