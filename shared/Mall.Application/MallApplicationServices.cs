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
        services.TryAddSingleton(new MallEnvironment(configuration["AZURE_FUNCTIONS_ENVIRONMENT"] ?? "Production"));
        services.AddSettingsValidators(typeof(MallApplicationServices).Assembly);
        services.AddSettings<AuthOptions>(configuration, AuthOptions.SectionName);
        services.AddSettings<AdminOptions>(configuration, AdminOptions.SectionName);
        services.AddSettings<LimitsOptions>(configuration, LimitsOptions.SectionName);
        services.AddSettings<CatalogOptions>(configuration, CatalogOptions.SectionName);
        services.AddSettings<OrderOptions>(configuration, OrderOptions.SectionName);
        services.AddSettings<PaymentOptions>(configuration, PaymentOptions.SectionName);
        services.AddSettings<DistributionOptions>(configuration, DistributionOptions.SectionName);
        services.AddSettings<FlashSaleOptions>(configuration, FlashSaleOptions.SectionName);
        services.AddSettings<SegmentationOptions>(configuration, SegmentationOptions.SectionName);
        services.AddSettings<MembershipOptions>(configuration, MembershipOptions.SectionName);
        services.AddSettings<PromotionOptions>(configuration, PromotionOptions.SectionName);
        services.AddSettings<ReactivationOptions>(configuration, ReactivationOptions.SectionName);
        services.AddSettings<EventOptions>(configuration, EventOptions.SectionName);
        services.AddSingleton(sp => sp.GetRequiredService<MembershipOptions>().ToRules());

        // What operators watch (Platform/Telemetry.cs): meters come from the host's factory, one per container.
        services.AddMetrics();
        services.AddSingleton<MallMetrics>();
        services.AddSingleton<Readiness>();
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
        services.AddDueWork<PersonalDataService>(CustomerWork.Erasure, (s, work, ct) => s.HandleErasureAsync(work.Subject, ct), DueWorkSubject.Customer);

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
        .AddEventHandler<CustomerSegmentChanged, CustomerInterests>()
        .AddEventHandler<CustomerErased, CustomerInterests>();

    /// <summary>
    /// Binds a settings section, checked when the host starts by the section's
    /// <see cref="SettingsValidator{T}"/> (found by <see cref="SettingsValidation.AddSettingsValidators"/>),
    /// and makes the settings object itself injectable.
    /// </summary>
    public static IServiceCollection AddSettings<T>(this IServiceCollection services, IConfiguration configuration, string section)
        where T : class
    {
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<T>>().Value);
        return services;
    }

    /// <param name="subject">What the kind's subjects name (<see cref="DueWorkSubject.Customer"/>: a customer id is part of each).</param>
    public static IServiceCollection AddDueWork<TService>(this IServiceCollection services, string kind, Func<TService, DueWork, CancellationToken, Task<DueWorkResult>> handle, DueWorkSubject subject = DueWorkSubject.Business)
        where TService : notnull =>
        services.AddSingleton<IDueWorkHandler>(sp =>
        {
            var service = sp.GetRequiredService<TService>();
            return new DelegatingDueWorkHandler(kind, subject, (work, ct) => handle(service, work, ct));
        });
}

/// <summary>
/// The committed sample settings carry "LOCAL-ONLY" placeholders so `func start` works out of the box;
/// anywhere but Development they must have been replaced (Key Vault), or the app refuses to start
/// (<see cref="SettingChecks.NoLocalOnlyValue"/>).
/// </summary>
public static class LocalOnlyValues
{
    public static bool IsLocalOnly(string value) => (TryDecodeBase64(value) ?? value).Contains("LOCAL-ONLY", StringComparison.Ordinal);

    private static string? TryDecodeBase64(string value)
    {
        var buffer = new byte[value.Length];
        return Convert.TryFromBase64String(value, buffer, out var written) ? System.Text.Encoding.UTF8.GetString(buffer, 0, written) : null;
    }
}
