using FluentValidation;
using Mall.Application.Administration;
using Mall.Application.Analytics;
using Mall.Application.Bargains;
using Mall.Application.Fission;
using Mall.Application.Sharing;

using Mall.Application.CardCollecting;
using Mall.Domain.Analytics;
using Mall.Application.Campaigns;
using Mall.Application.Cart;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Distribution;
using Mall.Application.FlashSale;
using Mall.Application.GroupBuy;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.Presale;
using Mall.Application.Promotions;
using Mall.Application.Reactivation;
using Mall.Application.Recommendations;
using Mall.Application.Segmentation;
using Mall.Domain.Catalog;
using Mall.Domain.Compliance;
using Mall.Domain.Customers;
using Mall.Domain.Distribution;
using Mall.Domain.GroupBuy;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Mall.Application;

public static class MallApplicationServices
{
    /// <summary>Use cases, their settings and their due-work handlers. Everything is stateless, hence singletons.</summary>
    public static IServiceCollection AddMallApplication(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        var environment = configuration["AZURE_FUNCTIONS_ENVIRONMENT"] ?? "Production";
        services.AddSettings<AuthOptions>(configuration, AuthOptions.SectionName, o =>
            LocalOnlyValues.Check(environment, ("Auth:SessionSigningKey", o.SessionSigningKey)));
        services.AddSettings<AdminOptions>(configuration, AdminOptions.SectionName);
        services.AddSettings<LimitsOptions>(configuration, LimitsOptions.SectionName, o =>
        {
            if (o.CustomerLoginsPerAddressPerMinute < 1 || o.OperatorFailuresAllowed < 1 || o.OperatorLockoutSeconds < 1 || o.OperatorMaxLockoutSeconds < o.OperatorLockoutSeconds
                || o.OrdersPerCustomerPerMinute < 1 || o.UnpaidOrdersPerCustomer < 1)
            {
                throw new OptionsValidationException(LimitsOptions.SectionName, typeof(LimitsOptions), ["Every limit must be at least 1, and OperatorMaxLockoutSeconds at least OperatorLockoutSeconds."]);
            }
        });
        services.AddSettings<CatalogOptions>(configuration, CatalogOptions.SectionName);
        services.AddSettings<OrderOptions>(configuration, OrderOptions.SectionName, o =>
        {
            if (o.MaxLinesPerOrder is < 1 or > OrderOptions.MostLinesPerOrder)
            {
                throw new OptionsValidationException(OrderOptions.SectionName, typeof(OrderOptions), [$"MaxLinesPerOrder must be 1–{OrderOptions.MostLinesPerOrder} (an order is one stored document)."]);
            }
        });
        services.AddSettings<PaymentOptions>(configuration, PaymentOptions.SectionName, o =>
        {
            if (o.ReconcileAfterMinutes <= 0 || o.RefundRetryMaxMinutes <= 0)
            {
                throw new OptionsValidationException(PaymentOptions.SectionName, typeof(PaymentOptions), ["ReconcileAfterMinutes and RefundRetryMaxMinutes must be positive."]);
            }
        });
        services.AddSettings<DistributionOptions>(configuration, DistributionOptions.SectionName);
        services.AddSettings<FlashSaleOptions>(configuration, FlashSaleOptions.SectionName, o =>
        {
            var slotsValid = o.Slots.Length > 0 && o.Slots.All(s => TimeOnly.TryParseExact(s, "HH:mm", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _));
            if (!slotsValid || o.DefaultDurationMinutes is < 1 or > 1440 || o.UnpaidMinutes < 1 || o.FullShardCacheMilliseconds < 0 || o.SaleCacheMilliseconds < 0 || o.ReservationsPerCustomerPerMinute < 1)
            {
                throw new OptionsValidationException(FlashSaleOptions.SectionName, typeof(FlashSaleOptions), ["Slots are \"HH:mm\" (at least one), DefaultDurationMinutes 1–1440, UnpaidMinutes and ReservationsPerCustomerPerMinute ≥ 1, cache times ≥ 0."]);
            }
        });
        services.AddSettings<SegmentationOptions>(configuration, SegmentationOptions.SectionName);
        services.AddSettings<MembershipOptions>(configuration, MembershipOptions.SectionName, o =>
        {
            if (o.PointsPerYuan < 0 || o.RedeemPointsPerYuan <= 0 || o.RedeemMaxShareBps is < 0 or > 10_000 || o.BronzeLifetimeYuan <= 0 || o.GoldMonths is < 1 or > 12)
            {
                throw new OptionsValidationException(MembershipOptions.SectionName, typeof(MembershipOptions), ["PointsPerYuan ≥ 0, RedeemPointsPerYuan > 0, RedeemMaxShareBps 0–10000, BronzeLifetimeYuan > 0, GoldMonths 1–12."]);
            }
        });
        services.AddSettings<PromotionOptions>(configuration, PromotionOptions.SectionName, o =>
        {
            if (o.Gift.ToOption() is { } gift && ComplianceRules.PaidAddOnTickedByDefault(gift.PriceFen, gift.SelectedByDefault))
            {
                throw new OptionsValidationException(PromotionOptions.SectionName, typeof(PromotionOptions), ["Promotions:Gift: a paid add-on cannot be ticked by default (E-commerce Law art. 19); set SelectedByDefault to false or PriceFen to 0."]);
            }

            if (o.MemberDayOfMonth is < 0 or > 28 || o.MemberDayPriceBps is < 100 or > 10_000)
            {
                throw new OptionsValidationException(PromotionOptions.SectionName, typeof(PromotionOptions), ["MemberDayOfMonth must be 0–28 and MemberDayPriceBps 100–10000."]);
            }
        });
        services.AddSettings<ReactivationOptions>(configuration, ReactivationOptions.SectionName, o =>
        {
            if (o.MessagesPerSecond <= 0 || o.PageSize <= 0 || o.Concurrency <= 0)
            {
                throw new OptionsValidationException(ReactivationOptions.SectionName, typeof(ReactivationOptions), ["MessagesPerSecond, PageSize and Concurrency must be positive."]);
            }
        });
        services.AddSettings<EventOptions>(configuration, EventOptions.SectionName, o =>
        {
            if (o.MaxAttempts < 1 || o.Concurrency < 1 || o.Lease <= TimeSpan.Zero || o.RetryBaseDelay < TimeSpan.Zero || o.CommitWait <= TimeSpan.Zero)
            {
                throw new OptionsValidationException(EventOptions.SectionName, typeof(EventOptions), ["MaxAttempts and Concurrency must be positive, Lease and CommitWait longer than zero, RetryBaseDelay not negative."]);
            }
        });
        services.AddSingleton(sp => sp.GetRequiredService<MembershipOptions>().ToRules());

        services.AddSingleton<AccessTokenService>();
        services.AddSingleton<Limiter>();
        services.AddSingleton<AdminAuthService>();
        services.AddSingleton<CustomerService>();
        services.AddSingleton<CounterStore>();
        services.AddSingleton<RecentProductViews>();
        services.AddSingleton<StockService>();
        services.AddSingleton<CatalogAdminService>();
        services.AddSingleton<CatalogQueryService>();
        services.AddSingleton<CartService>();
        services.AddSingleton<OrderStore>();
        services.AddSingleton<OrderViews>();
        services.AddSingleton<CouponService>();
        services.AddSingleton<PromotionService>();
        services.AddSingleton<SegmentationService>();
        services.AddSingleton<SubscriptionService>();
        services.AddSingleton<ReactivationService>();
        services.AddSingleton<MembershipService>();
        services.AddSingleton<OrderBenefits>();
        services.AddSingleton<UnpaidOrderSlots>();
        services.AddSingleton<OrderPlacement>();
        services.AddSingleton<CheckoutQuotes>();
        services.AddSingleton<CheckoutService>();
        services.AddSingleton<OrderService>();
        services.AddSingleton<PaymentService>();
        services.AddSingleton<RefundService>();
        services.AddSingleton<GroupBuyService>();
        services.AddSingleton<PresaleService>();
        services.AddSingleton<FlashSales>();
        services.AddSingleton<FullShardHints>();
        services.AddSingleton<FlashStock>();
        services.AddSingleton<FlashSaleService>();
        services.AddSingleton<DistributionService>();
        services.AddSingleton<ErasedCustomers>();
        services.AddSingleton<PersonalDataAudit>();
        services.AddSingleton<PersonalDataService>();

        services.AddSingleton<EventDispatcher>();
        services.AddSingleton(sp => new EventSubscriptions(sp.GetServices<EventSubscription>()));
        services.AddEventHandlers();

        services.AddDueWork<OrderService>(OrderWork.Expiry, (s, work, ct) => s.HandleExpiryAsync(work.Subject, ct));
        services.AddDueWork<OrderService>(OrderWork.AutoConfirm, (s, work, ct) => s.HandleAutoConfirmAsync(work.Subject, ct));
        services.AddDueWork<OrderService>(OrderWork.AfterSaleClose, (s, work, ct) => s.HandleAfterSaleCloseAsync(work.Subject, ct));
        services.AddDueWork<OrderService>(OrderWork.ShippingUpload, (s, work, ct) => s.UploadShippingInfoAsync(work.Subject, ct));
        services.AddDueWork<PaymentService>(PaymentWork.Check, (s, work, ct) => s.ReconcileAsync(work.Subject, ct));
        services.AddDueWork<RefundService>(RefundWork.Submit, (s, work, ct) => s.SubmitApprovedAsync(work.Subject, ct));
        services.AddDueWork<RefundService>(RefundWork.Check, (s, work, ct) => s.CheckAsync(work.Subject, ct));
        services.AddDueWork<FlashSaleService>(FlashSaleWork.Close, (s, work, ct) => s.HandleCloseAsync(work.Subject, ct));
        services.AddDueWork<RefundService>(RefundWork.Restock, (s, work, ct) => s.RestockAsync(work.Subject, ct));
        services.AddDueWork<PersonalDataService>(CustomerWork.Erasure, (s, work, ct) => s.HandleErasureAsync(work.Subject, ct));

        services.AddSingleton<IValidator<AdminLoginRequest>, AdminLoginRequestValidator>();
        services.AddSingleton<IValidator<LoginRequest>, LoginRequestValidator>();
        services.AddSingleton<IValidator<UpdateProfileRequest>, UpdateProfileRequestValidator>();
        services.AddSingleton<IValidator<CategoryRequest>, CategoryRequestValidator>();
        services.AddSingleton<IValidator<ProductRequest>, ProductRequestValidator>();
        services.AddSingleton<IValidator<StockAdjustmentRequest>, StockAdjustmentRequestValidator>();
        services.AddSingleton<IValidator<CartItemRequest>, CartItemRequestValidator>();
        services.AddSingleton<IValidator<CartQuantityRequest>, CartQuantityRequestValidator>();
        services.AddSingleton<IValidator<CheckoutRequest>, CheckoutRequestValidator>();
        services.AddSingleton<IValidator<ShipRequest>, ShipRequestValidator>();
        services.AddSingleton<IValidator<RefundRequestBody>, RefundRequestBodyValidator>();
        services.AddSingleton<IValidator<ApproveRefundRequest>, ApproveRefundRequestValidator>();
        services.AddSingleton<IValidator<AbnormalRefundBody>, AbnormalRefundBodyValidator>();
        services.AddSingleton<IValidator<RejectRefundRequest>, RejectRefundRequestValidator>();
        services.AddSingleton<IValidator<GroupBuyCampaignRequest>, GroupBuyCampaignRequestValidator>();
        services.AddSingleton<IValidator<GroupOrderRequest>, GroupOrderRequestValidator>();
        services.AddSingleton<IValidator<OpenGroupRequest>, OpenGroupRequestValidator>();
        services.AddSingleton<IValidator<CouponTemplateRequest>, CouponTemplateRequestValidator>();
        services.AddSingleton<IValidator<PresaleCampaignRequest>, PresaleCampaignRequestValidator>();
        services.AddSingleton<IValidator<ReservePresaleRequest>, ReservePresaleRequestValidator>();
        services.AddSingleton<IValidator<BalanceRequest>, BalanceRequestValidator>();
        services.AddSingleton<IValidator<FlashSaleRequest>, FlashSaleRequestValidator>();
        services.AddSingleton<IValidator<FlashReservationRequest>, FlashReservationRequestValidator>();
        services.AddSingleton<IValidator<CommissionPolicyRequest>, CommissionPolicyRequestValidator>();
        services.AddSingleton<IValidator<WithdrawalRequest>, WithdrawalRequestValidator>();
        services.AddSingleton<IValidator<SubscriptionsRequest>, SubscriptionsRequestValidator>();
        services.AddSingleton<IValidator<PriceRuleRequest>, PriceRuleRequestValidator>();

        // Campaign calendar (its own registrations live in Campaigns/CampaignServices.cs).
        services.AddCampaigns(configuration);

        // Analytics: events, figures, experiments, alerts, the dashboard (Analytics/AnalyticsServices.cs).
        services.AddAnalytics(configuration);

        // Dynamic replenishment (its own registrations live in Inventory/ReplenishmentServices.cs).
        services.AddReplenishment(configuration);

        // Social fission: each mechanic's switch and daily budget, bargains, cards, share rewards (Fission/FissionServices.cs).
        services.AddFission(configuration);
        services.AddSharing(configuration);

        // Campaign compliance check and its monthly report (Compliance/ComplianceServices.cs).
        services.AddCompliance(configuration);

        // Bargains 砍价: campaigns, bargains, helps, their orders and deadlines (Bargains/BargainServices.cs).
        services.AddBargains(configuration);

        // Card collecting 集卡: campaigns, cards, redemptions (CardCollecting/CardCollectingServices.cs).
        services.AddCardCollecting(configuration);

        // Recommendations: related products, the personal feed, their daily recomputation (Recommendations/RecommendationServices.cs).
        services.AddRecommendations(configuration);
        return services;
    }

    /// <summary>
    /// Who reacts to which integration event — the whole list, in one place. Handlers run after the
    /// write that raised the event, from the dispatch function (see EventDispatcher); docs/events.md
    /// is the catalog for downstream systems.
    /// </summary>
    private static void AddEventHandlers(this IServiceCollection services) => services
        .AddEventHandler<ProductChanged, CatalogProjection>()
        .AddEventHandler<CustomerRegistered, DistributionEvents>()
        .AddEventHandler<CustomerSegmentChanged, SegmentationEvents>()
        .AddEventHandler<PointsChanged, PointsLedger>()
        .AddEventHandler<OrderPaid, UnpaidOrderSlots>()
        .AddEventHandler<OrderPaid, MembershipService>()
        .AddEventHandler<OrderPaid, ReactivationService>()
        .AddEventHandler<OrderPaid, GroupBuyEvents>()
        .AddEventHandler<OrderPaid, PresaleOrderEvents>()
        .AddEventHandler<OrderPaid, DistributionEvents>()
        .AddEventHandler<OrderCancelled, OrderBenefits>()
        .AddEventHandler<OrderCancelled, UnpaidOrderSlots>()
        .AddEventHandler<OrderCancelled, GroupBuyEvents>()
        .AddEventHandler<OrderCancelled, PresaleOrderEvents>()
        .AddEventHandler<OrderClosed, OrderBenefits>()
        .AddEventHandler<OrderClosed, UnpaidOrderSlots>()
        .AddEventHandler<OrderClosed, GroupBuyEvents>()
        .AddEventHandler<OrderClosed, PresaleOrderEvents>()
        .AddEventHandler<OrderCompleted, DistributionEvents>()
        .AddEventHandler<OrderRefunded, OrderBenefits>()
        .AddEventHandler<OrderRefunded, MembershipService>()
        .AddEventHandler<OrderRefunded, PresaleOrderEvents>()
        .AddEventHandler<OrderPointsChanged, MembershipService>()
        .AddEventHandler<RefundSucceeded, MembershipService>()
        .AddEventHandler<RefundSucceeded, OrderBenefits>()
        .AddEventHandler<RefundRequested, DistributionEvents>()
        .AddEventHandler<RefundApproved, DistributionEvents>()
        .AddEventHandler<RefundRejected, DistributionEvents>()
        .AddEventHandler<RefundFailed, DistributionEvents>()
        .AddEventHandler<RefundSucceeded, DistributionEvents>()
        .AddEventHandler<GroupBuyOpened, GroupBuyEvents>()
        .AddEventHandler<CommissionMovementEvent, LedgerRecorder>()
        .AddEventHandler<CommissionPaidOut, LedgerRecorder>()
        .AddEventHandler<CommissionPaidOut, PayoutSender>()
        .AddEventHandler<OrderPaid, ServerEvents>()
        .AddEventHandler<RefundSucceeded, ServerEvents>()
        .AddEventHandler<CustomerRegistered, ServerEvents>()
        .AddEventHandler<AlertRaised, WakeUpOnAlert>()
        .AddEventHandler<OrderPaid, CampaignTally>()
        .AddEventHandler<OrderPaid, SkuSalesTally>()
        .AddEventHandler<RefundSucceeded, SkuSalesTally>()
        .AddEventHandler<OrderPaid, ShareRewardsService>()
        .AddEventHandler<OrderAfterSaleClosed, ShareRewardsService>()
        .AddEventHandler<OrderRefunded, ShareRewardsService>()
        .AddEventHandler<OrderPaid, BargainOrderEvents>()
        .AddEventHandler<OrderClosed, BargainOrderEvents>()
        .AddEventHandler<OrderCancelled, BargainOrderEvents>()

        .AddEventHandler<OrderPaid, CardCollectingEvents>()
        .AddEventHandler<RefundSucceeded, CardCollectingEvents>()
        .AddEventHandler<OrderPaid, CustomerInterests>()
        .AddEventHandler<CustomerSegmentChanged, CustomerInterests>();

    /// <summary>Binds a settings section, validates it at start, and makes the settings object itself injectable.</summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, IConfiguration configuration, string section, Action<T>? validate = null)
        where T : class
    {
        var builder = services.AddOptions<T>().Bind(configuration.GetSection(section));
        if (validate is not null)
        {
            builder.Validate(
                settings =>
                {
                    validate(settings);
                    return true;
                },
                $"Invalid {section} settings.");
        }

        builder.ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    public static IServiceCollection AddDueWork<TService>(this IServiceCollection services, string kind, Func<TService, DueWork, CancellationToken, Task<DueWorkResult>> handle)
        where TService : notnull =>
        services.AddSingleton<IDueWorkHandler>(sp =>
        {
            var service = sp.GetRequiredService<TService>();
            return new DelegatingDueWorkHandler(kind, (work, ct) => handle(service, work, ct));
        });
}

/// <summary>
/// The committed sample settings carry "LOCAL-ONLY" placeholders so `func start` works out of the box;
/// anywhere but Development they must have been replaced (Key Vault), or the app refuses to start.
/// </summary>
public static class LocalOnlyValues
{
    public static void Check(string environment, params (string Key, string Value)[] settings)
    {
        if (environment.Equals("Development", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        foreach (var (key, value) in settings)
        {
            var decoded = TryDecodeBase64(value) ?? value;
            if (decoded.Contains("LOCAL-ONLY", StringComparison.Ordinal))
            {
                throw new OptionsValidationException(key, typeof(string), [$"{key} still holds the local sample value; set a real secret (Key Vault) outside Development."]);
            }
        }
    }

    private static string? TryDecodeBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? System.Text.Encoding.UTF8.GetString(buffer, 0, written) : null;
    }
}
