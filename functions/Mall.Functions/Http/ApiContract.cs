using Mall.Domain.Common;

namespace Mall.Functions.Http;

/// <summary>Who may call an HTTP function: the security scheme the API document gives its operation.</summary>
public enum Caller
{
    /// <summary>No credentials (sign-in, health, public campaign pages).</summary>
    Anyone,

    /// <summary>Anyone; a customer session token, when sent, must be valid (<see cref="Api.ForVisitorAsync"/>).</summary>
    Visitor,

    /// <summary>A customer session token (<see cref="Api.ForCustomerAsync"/>).</summary>
    Customer,

    /// <summary>An operator session token (<see cref="Api.ForAdminAsync"/>), for manage/... routes.</summary>
    Operator,

    /// <summary>WeChat Pay's webhooks: the Wechatpay-Signature headers over the body, no token; failures are {code, message}.</summary>
    WeChatPay,
}

/// <summary>
/// The HTTP contract of a function, read by <see cref="ApiDocument"/> beside its HttpTrigger: who calls it,
/// the body it reads, what it answers and the problem codes it may refuse with. The end-to-end tests check
/// every response they see against it, so a declaration that drifts from the code fails there.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class CalledByAttribute(Caller caller) : Attribute
{
    public Caller Caller { get; } = caller;
}

/// <summary>The JSON body the function reads with <see cref="Api.BodyAsync{T}"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AcceptsAttribute(Type body) : Attribute
{
    public Type Body { get; } = body;
}

/// <summary>A success the function answers: its status and body type (none for 204, 202 without a body).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class AnswersAttribute(int status, Type? body = null) : Attribute
{
    public int Status { get; } = status;

    public Type? Body { get; } = body;

    /// <summary>Another media type than JSON (the docs and dashboard pages and assets); its body is not described.</summary>
    public string? MediaType { get; init; }
}

/// <summary>
/// The problem codes the function's own rules may answer with, beyond those every route of its kind may
/// (<see cref="ApiDocument.ImpliedRefusals"/>: authentication, body reading, ids, busy storage, internal errors).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RefusesAttribute(params ErrorCode[] codes) : Attribute
{
    public IReadOnlyList<ErrorCode> Codes { get; } = codes;
}

/// <summary>
/// The function places an order through OrderPlacement (checkout, flash sale, group buy, presale, bargain): it
/// may refuse with <see cref="OrderPlacementRefusals"/> as well as its own.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PlacesOrderAttribute : Attribute
{
    /// <summary>Stock, limits, coupons, points, member prices, the unpaid-order cap and the idempotent retry.</summary>
    public static readonly IReadOnlyList<ErrorCode> OrderPlacementRefusals =
    [
        ErrorCode.ProductNotOnSale, ErrorCode.OutOfStock, ErrorCode.PurchaseLimitExceeded, ErrorCode.TooManyUnpaidOrders, ErrorCode.TooManyRequests,
        ErrorCode.CouponUnavailable, ErrorCode.CouponNotApplicable, ErrorCode.InsufficientPoints, ErrorCode.MembersOnly, ErrorCode.OfferInUse,
        ErrorCode.IdempotencyKeyReused, ErrorCode.RequestInProgress, ErrorCode.OrderExpired, ErrorCode.NotFound,
    ];
}

/// <summary>
/// A query parameter the function reads; <paramref name="type"/> is how it is read (int, bool, DateOnly, an enum or
/// string). Names ending in "Id" are ids, checked before the function runs. The end-to-end tests refuse a request
/// with a query parameter its route does not declare.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = true)]
public sealed class QueryAttribute(string name, Type type, string description) : Attribute
{
    public string Name { get; } = name;

    public Type Type { get; } = type;

    public string Description { get; } = description;
}

/// <summary>The function answers a page (<see cref="Api.Paging"/>): it reads pageSize and continuationToken.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PagedAttribute : Attribute
{
}

/// <summary>The function reads an Idempotency-Key header (<see cref="Api.IdempotencyKey"/>): a retry with the same key is the same request.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class IdempotentAttribute : Attribute
{
    public const string Header = "Idempotency-Key";
}
