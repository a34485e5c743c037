using FluentValidation;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Analytics;

namespace Mall.Application.Analytics;

public sealed record ExperimentRequest
{
    /// <summary>The operator's id for the experiment; creating it again with the same definition returns it.</summary>
    public string? Id { get; init; }

    public string? Name { get; init; }

    /// <summary>The funnel stage that counts as converting: productView, addToCart, checkout or paid.</summary>
    public FunnelStage? Metric { get; init; }

    /// <summary>The first is control.</summary>
    public IReadOnlyList<VariantRequest?>? Variants { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }
}

public sealed record VariantRequest(string? Name, int? Weight);

public sealed class ExperimentRequestValidator : AbstractValidator<ExperimentRequest>
{
    public ExperimentRequestValidator(RecommendationOptions recommendations)
    {
        RuleFor(r => r.Id).NotEmpty().MustBeAnId();
        RuleFor(r => r.Name).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Metric).NotNull();
        RuleFor(r => r.Metric).IsInEnum().NotEqual(FunnelStage.Visit).When(r => r.Metric is not null)
            .WithMessage("Must be a stage after the visit: productView, addToCart, checkout or paid.");
        RuleFor(r => r.Variants).NotNull();
        RuleFor(r => r.Variants).Must(v => v!.Count is >= 2 and <= Experiment.MaxVariants).When(r => r.Variants is not null)
            .WithMessage($"Between 2 and {Experiment.MaxVariants} variants; the first is control.");
        RuleForEach(r => r.Variants).NotNull().ChildRules(variant =>
        {
            variant.RuleFor(v => v!.Name).NotEmpty().MustBeAnId();
            variant.RuleFor(v => v!.Weight).NotNull().InclusiveBetween(1, 10_000);
        }).When(r => r.Variants is not null);
        RuleFor(r => r.Variants).Must(v => v!.Where(x => x is not null).Select(x => x!.Name).Distinct(StringComparer.Ordinal).Count() == v!.Count(x => x is not null))
            .When(r => r.Variants is not null).WithMessage("Variant names must differ.");
        RuleFor(r => r.StartsAt).NotNull();
        RuleFor(r => r.StartsAt).Must(d => d!.Value.Year is >= 2000 and <= 2999).When(r => r.StartsAt is not null).WithMessage("Must be a date in the years 2000–2999.");
        RuleFor(r => r.EndsAt).NotNull();
        RuleFor(r => r.EndsAt).Must(d => d!.Value.Year is >= 2000 and <= 2999).When(r => r.EndsAt is not null).WithMessage("Must be a date in the years 2000–2999.");
        // The setting is read when a request is checked: the feed experiment is the one it names now.
        When(r => r.Id is not null && r.Id == recommendations.FeedExperimentId, () =>
        {
            RuleFor(r => r.Variants).Must(v => FeedExperiment.HasItsVariants(v!.Select(x => x?.Name))).When(r => r.Variants is not null)
                .WithMessage($"The feed experiment (Recommendations__FeedExperimentId) has the variants \"{FeedExperiment.PersonalVariant}\" and \"{FeedExperiment.PopularVariant}\".");
            RuleFor(r => r.Metric).Equal(FeedExperiment.Metric).When(r => r.Metric is not null)
                .WithMessage("The feed experiment converts on a click in the feed: its metric is productView.");
        });
        RuleFor(r => r.EndsAt).GreaterThan(r => r.StartsAt).When(r => r.StartsAt is not null && r.EndsAt is not null).WithMessage("Must be after startsAt.");
    }
}

/// <summary>An experiment as the operator sees it.</summary>
public sealed record ExperimentView(string Id, string Name, FunnelStage Metric, IReadOnlyList<VariantWeight> Variants, DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset? StoppedAt, string Status)
{
    public static ExperimentView Of(Experiment experiment, DateTimeOffset now) =>
        new(experiment.Id, experiment.Name, experiment.Metric, experiment.Variants, experiment.StartsAt, experiment.EndsAt, experiment.StoppedAt, experiment.StatusAt(now).ToString());
}

/// <summary>What the mini-program shows a visitor: its variant (control when the experiment is not running; then nothing is recorded).</summary>
public sealed record AssignmentView(string ExperimentId, string Variant, bool Recorded);
