namespace Mall.Domain.Common;

/// <summary>
/// Stable machine-readable error codes. The string form (SCREAMING_SNAKE_CASE) is part of the
/// public API contract: clients switch on it, so existing values never change meaning.
/// </summary>
public enum ErrorCode
{
    ValidationFailed,
    MalformedJson,
    NotFound,
    Unauthorized,
    Forbidden,
    Conflict,
    Busy,
    InternalError,
    UnsupportedMediaType,
    PayloadTooLarge,
    TooManyRequests,

    // Identity
    InvalidLoginCode,
    InvalidCredentials,

    /// <summary>WeChat's risk control refuses this user's login (jscode2session 40226).</summary>
    LoginBlocked,

    // Catalog and cart
    ProductNotOnSale,

    /// <summary>No longer answered: a false reference price is COMPLIANCE_REFUSED with rule reference-price-not-truthful. Kept so the code never means anything else.</summary>
    ReferencePriceNotTruthful,
    PreconditionFailed,
    OutOfStock,
    PurchaseLimitExceeded,
    CartFull,

    // Orders
    IdempotencyKeyRequired,
    IdempotencyKeyReused,
    RequestInProgress,
    InvalidOrderState,
    OrderExpired,
    TooManyUnpaidOrders,

    // WeChat
    WeChatUnavailable,
    WeChatRejected,

    // Payments and refunds
    InvalidSignature,
    StaleTimestamp,
    UnknownCertificateSerial,
    DecryptionFailed,
    MerchantMismatch,
    AmountMismatch,
    RefundNotAllowed,
    RefundInProgress,
    RefundAmountExceeded,

    // Campaigns
    CampaignNotActive,
    CampaignSoldOut,
    GroupFull,
    GroupClosed,
    AlreadyInGroup,
    OutsideWindow,
    FlashSaleNotStarted,
    FlashSaleEnded,
    FlashSaleSoldOut,
    FlashSaleLimitReached,

    // Coupons
    CouponUnavailable,
    CouponNotApplicable,
    CouponQuotaExhausted,
    CouponLimitReached,

    // Distribution
    NotAPromoter,
    WithdrawalExceedsBalance,
    WithdrawalLimitReached,

    // Membership
    MembersOnly,
    InsufficientPoints,

    // Promotions
    OfferInUse,

    // Social fission
    MechanicSwitchedOff,
    BudgetExhausted,
    ShareLinkExpired,

    // Compliance
    /// <summary>A campaign save broke a compliance rule; the problem lists the findings (rule code, field, basis).</summary>
    ComplianceRefused,


    // Bargains
    BargainAtFloor,
    BargainExpired,
    BargainOrdered,
    OwnBargain,


    // Card collecting
    CardTaskNotOffered,
    CardSetIncomplete,
    CardSetAlreadyRedeemed,
    CardRewardUnavailable,
    CardLimitReached,

    // Personal data
    /// <summary>The getPhoneNumber code is invalid, expired or already used (getuserphonenumber 40029).</summary>
    InvalidPhoneCode,

    /// <summary>The customer erased their account: what the law keeps of it is kept, not read.</summary>
    CustomerErased,
}

public static class ErrorCodeExtensions
{
    /// <summary>OUT_OF_STOCK style wire form of a code.</summary>
    public static string ToWire(this ErrorCode code)
    {
        var name = code.ToString();
        var builder = new System.Text.StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                builder.Append('_');
            }

            builder.Append(char.ToUpperInvariant(name[i]));
        }

        return builder.ToString();
    }
}
