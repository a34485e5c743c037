using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Recommendations;

internal sealed class RecommendationOptionsValidator() : SettingsValidator<RecommendationOptions>(RecommendationOptions.SectionName)
{
    protected override void Check(RecommendationOptions o, SettingChecks checks) => checks
        .InRange(o.SlotSize, 1, 50)
        .AtLeast(o.MinSupport, 1)
        .AtLeast(o.KeptPerProduct, o.SlotSize, "a slot is filled from the products kept")
        .AtLeast(o.MaxBasketProducts, 2)
        .InRange(o.MaxPairs, 100, RecommendationOptions.MaxPairsThatFit)
        .InRange(o.PageSize, 1, 1000)
        .AtLeast(o.CheckpointEveryPages, 1)
        .That(o.FeedExperimentId.Length == 0 || Ids.IsWellFormed(o.FeedExperimentId), nameof(o.FeedExperimentId), "is empty or an experiment id", actual: o.FeedExperimentId);
}
