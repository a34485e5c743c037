using Mall.Domain.Analytics;

namespace Mall.Application.Analytics;

/// <summary>Funnel views from counts per stage (visit → product view → add to cart → checkout → paid).</summary>
public static class Funnels
{
    public static FunnelView Of(string period, Tally tally) =>
        View(period, null, null, Enum.GetValues<FunnelStage>().Select(tally.Reached).ToList());

    /// <param name="counts">One count per <see cref="FunnelStage"/>, in order.</param>
    public static FunnelView View(string period, string? experimentId, string? variant, IReadOnlyList<long> counts) =>
        new(period, experimentId, variant, Enum.GetValues<FunnelStage>().Select((stage, index) =>
            new FunnelStep(stage.ToString(), counts[index], index == 0 || counts[index - 1] == 0 ? null : (double)counts[index] / counts[index - 1])).ToList());
}
