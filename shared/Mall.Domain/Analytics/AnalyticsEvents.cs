namespace Mall.Domain.Analytics;

/// <summary>
/// What the analytics ledger counts. The first eight and the recommendation slots' impressions and clicks
/// are sent by the mini-program (SPEC §4.13); the rest are recorded by the mall itself from its own integration events, so GMV, paid orders and new
/// customers never depend on what a client sends.
/// </summary>
public enum TrackedEvent
{
    PageView,
    ProductView,
    AddToCart,
    CheckoutStart,
    PaySuccess,
    Share,
    SessionOpen,
    ExperimentExposure,
    OrderPaid,
    RefundSucceeded,
    CustomerRegistered,
    RecommendationImpression,
    RecommendationClick,
}

public static class TrackedEvents
{
    private static readonly Dictionary<string, TrackedEvent> ClientWireNames = new(StringComparer.Ordinal)
    {
        ["page_view"] = TrackedEvent.PageView,
        ["product_view"] = TrackedEvent.ProductView,
        ["add_to_cart"] = TrackedEvent.AddToCart,
        ["checkout_start"] = TrackedEvent.CheckoutStart,
        ["pay_success"] = TrackedEvent.PaySuccess,
        ["share"] = TrackedEvent.Share,
        ["session_open"] = TrackedEvent.SessionOpen,
        ["experiment_exposure"] = TrackedEvent.ExperimentExposure,
        ["recommendation_impression"] = TrackedEvent.RecommendationImpression,
        ["recommendation_click"] = TrackedEvent.RecommendationClick,
    };

    /// <summary>The wire names a client may send, for error messages.</summary>
    public static IReadOnlyCollection<string> ClientTypes => ClientWireNames.Keys;

    /// <summary>Events that name the recommendation slot (and algorithm) they came from; an add to cart may, when the product came from one.</summary>
    public static bool IsAboutSlot(TrackedEvent type) => type is TrackedEvent.RecommendationImpression or TrackedEvent.RecommendationClick;

    /// <summary>
    /// Whether an event counts toward an experiment on a recommendation slot (the home feed's): opening a product
    /// counts only as a click in that slot, its click-through, not as a product view from anywhere else nor a click
    /// in another slot; the later stages (add to cart, checkout, paid) count as for any experiment.
    /// </summary>
    /// <param name="eventSlot">The slot and algorithm the event names ("slot/algorithm"), if any.</param>
    public static bool CountsForSlotExperiment(TrackedEvent type, string? eventSlot, string slot) => type switch
    {
        TrackedEvent.ProductView => false,
        TrackedEvent.RecommendationClick => eventSlot is not null && eventSlot.StartsWith(slot + "/", StringComparison.Ordinal),
        _ => true,
    };

    public static bool TryParseClientType(string? wireName, out TrackedEvent type) =>
        ClientWireNames.TryGetValue(wireName ?? string.Empty, out type);

    /// <summary>The funnel step an event reaches, if it is one (the first step, a visit, is any event of a visitor).</summary>
    public static FunnelStage? StageOf(TrackedEvent type) => type switch
    {
        // A click on a recommendation opens the product: for an experiment on a slot, its click-through.
        TrackedEvent.ProductView or TrackedEvent.RecommendationClick => FunnelStage.ProductView,
        TrackedEvent.AddToCart => FunnelStage.AddToCart,
        TrackedEvent.CheckoutStart => FunnelStage.Checkout,
        TrackedEvent.OrderPaid => FunnelStage.Paid,
        _ => null,
    };
}

/// <summary>The funnel of SPEC §4.13, in order.</summary>
public enum FunnelStage
{
    Visit,
    ProductView,
    AddToCart,
    Checkout,
    Paid,
}
