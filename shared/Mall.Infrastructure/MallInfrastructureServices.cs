using Azure.Data.Tables;
using Azure.Identity;
using Azure.Messaging.ServiceBus;
using Azure.Storage.Queues;
using Mall.Application.Administration;
using Mall.Application.Catalog;
using Mall.Application.Compliance;
using Mall.Application.Customers;
using Mall.Application.Distribution;
using Mall.Application.FlashSale;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Application.Segmentation;
using Mall.Application;
using Mall.Domain.Cart;
using Mall.Domain.Catalog;
using Mall.Domain.Coupons;
using Mall.Domain.Customers;
using Mall.Domain.Distribution;
using Mall.Domain.FlashSale;
using Mall.Domain.GroupBuy;
using Mall.Domain.Membership;
using Mall.Domain.Inventory;
using Mall.Domain.Limits;
using Mall.Domain.Notifications;
using Mall.Domain.Orders;
using Mall.Domain.Presale;
using Mall.Domain.Promotions;
using Mall.Infrastructure.Analytics;
using Mall.Infrastructure.Campaigns;
using Mall.Infrastructure.CardCollecting;
using Mall.Infrastructure.Distribution;
using Mall.Infrastructure.Fission;
using Mall.Infrastructure.Inventory;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Recommendations;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Security;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure;

public sealed class MessagingOptions
{
    public const string SectionName = "Messaging";

    /// <summary>Fully qualified Service Bus namespace; empty means "no Service Bus: use a storage queue" (local runs).</summary>
    public string? ServiceBusNamespace { get; set; }

    public string Topic { get; set; } = "mall-events";

    public string QueueName { get; set; } = "mall-events";
}

public static class MallInfrastructureServices
{
    /// <summary>Storage (tables, due work, outbox), messaging and data protection behind the application's ports.</summary>
    public static IServiceCollection AddMallInfrastructure(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new MallEnvironment(configuration["AZURE_FUNCTIONS_ENVIRONMENT"] ?? "Production"));
        services.AddSettingsValidators(typeof(MallInfrastructureServices).Assembly);
        services.AddSettings<StorageOptions>(configuration, StorageOptions.SectionName);
        services.AddSettings<MessagingOptions>(configuration, MessagingOptions.SectionName);
        services.AddSettings<DataProtectionOptions>(configuration, DataProtectionOptions.SectionName);

        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StorageOptions>();
            return string.IsNullOrEmpty(options.ConnectionString)
                ? new TableServiceClient(options.TableServiceUri, new DefaultAzureCredential())
                : new TableServiceClient(options.ConnectionString);
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<StorageOptions>();
            return string.IsNullOrEmpty(options.ConnectionString)
                ? new QueueServiceClient(options.QueueServiceUri, new DefaultAzureCredential())
                : new QueueServiceClient(options.ConnectionString);
        });
        services.AddSingleton<TableProvider>();
        services.AddTable(TableDueWorkScheduler.TableName);
        services.AddSingleton<IDueWorkScheduler, TableDueWorkScheduler>();
        services.AddSingleton<DueWorkProcessor>();
        services.AddSingleton<IOutboxStore, TableOutboxStore>();
        services.AddSingleton<IDispatchQueue>(sp =>
        {
            var options = sp.GetRequiredService<StorageOptions>();
            var queue = sp.GetRequiredService<EventOptions>().DispatchQueue;
            return new GroupCommitDispatchQueue(new StorageDispatchQueue(string.IsNullOrEmpty(options.ConnectionString)
                ? new QueueClient(new Uri(options.QueueServiceUri!, queue), new DefaultAzureCredential(), StorageDispatchQueue.ClientOptions)
                : new QueueClient(options.ConnectionString, queue, StorageDispatchQueue.ClientOptions)));
        });
        services.AddSingleton<IEventBus>(sp =>
        {
            var options = sp.GetRequiredService<MessagingOptions>();
            if (string.IsNullOrEmpty(options.ServiceBusNamespace))
            {
                return new StorageQueueEventBus(sp.GetRequiredService<QueueServiceClient>().GetQueueClient(options.QueueName));
            }

            var client = new ServiceBusClient(options.ServiceBusNamespace, new DefaultAzureCredential());
            return new ServiceBusEventBus(client.CreateSender(options.Topic));
        });
        services.AddSingleton<IReadinessCheck, StorageReadiness>();
        // Outside Development the outbox must relay to Service Bus, so readiness requires it there.
        var development = string.Equals(configuration["AZURE_FUNCTIONS_ENVIRONMENT"], "Development", StringComparison.OrdinalIgnoreCase);
        services.AddSingleton<IReadinessCheck>(sp => new ServiceBusReadiness(
            sp.GetRequiredService<MessagingOptions>(), sp.GetRequiredService<IEventBus>() as ServiceBusEventBus, required: !development));
        services.AddSingleton<IFieldProtector, AesGcmFieldProtector>();
        services.AddSingleton(sp => AesGcmFieldProtector.PseudonymsFor(sp.GetRequiredService<DataProtectionOptions>()));

        services.AddDocuments<Customer>("Customers", CustomerService.IndexedColumns);
        services.AddDocuments<InviteCodeEntry>("InviteCodes");
        services.AddDocuments<Category>("Categories");
        services.AddDocuments<Product>("Products");
        services.AddDocuments<ProductListingEntry>("ProductListings");
        services.AddDocuments<GuardedCounter>("Counters");
        services.AddDocuments<SettledOperation>("SettledOperations");
        services.AddDocuments<StockAdjustment>("StockAdjustments");
        services.AddDocuments<CartLine>("Carts");
        services.AddDocuments<Order>("Orders", OrderStore.IndexedColumns, orderIdOf: key => key.PartitionKey);
        services.AddDocuments<CustomerOrderEntry>("CustomerOrders");
        services.AddDocuments<SegmentationRun>("SegmentationRuns");
        services.AddDocuments<PointsEntry>("PointsLedger");
        services.AddDocuments<OrderPoints>("OrderPoints");
        services.AddDocuments<MessageSubscription>("MessageSubscriptions");
        services.AddDocuments<ReactivationRun>("ReactivationRuns");
        services.AddDocuments<WakeUpContact>("WakeUpContacts");
        services.AddDocuments<CouponTemplate>("CouponTemplates");
        services.AddDocuments<PriceRule>("PriceRules");
        services.AddDocuments<Coupon>("Coupons");
        services.AddDocuments<GroupBuyCampaign>("GroupBuyCampaigns");
        services.AddDocuments<GroupBuyGroup>("GroupBuyGroups");
        services.AddDocuments<PresaleCampaign>("PresaleCampaigns");
        services.AddDocuments<PresaleReservation>("PresaleReservations");
        services.AddDocuments<FlashSaleSession>("FlashSales");
        services.AddDocuments<FlashShard>("FlashShards");
        services.AddDocuments<FlashTake>("FlashTakes");
        services.AddDocuments<FlashSkuCalendar>("FlashSkuCalendars");
        services.AddDocuments<Promoter>("Promoters");
        services.AddDocuments<OrderCommission>("OrderCommissions");
        services.AddDocuments<LedgerEntry>("CommissionLedger");
        services.AddDocuments<WithdrawalBook>("Withdrawals");
        services.AddDocuments<CommissionPolicy>("DistributionPolicy");
        services.AddDocuments<ReferralEntry>("Referrals");
        services.AddDocuments<PayoutInstruction>("Payouts");
        services.AddDocuments<EventDelivery>("EventDeliveries");
        services.AddDocuments<ParkedEvent>("ParkedEvents");
        services.AddDocuments<RateAllowance>("RateAllowances");
        services.AddDocuments<SignInFailures>("SignInFailures");
        services.AddDocuments<OperatorSignIn>("OperatorSignIns");
        services.AddDocuments<OpenIdEntry>("CustomerOpenIds");
        services.AddDocuments<CustomerErasure>("ErasedCustomers");
        services.AddDocuments<PersonalDataAccess>("PersonalDataAudit");
        services.AddSingleton<IPayoutGateway, RecordedPayoutGateway>();

        // Campaign calendar (its tables are listed in Campaigns/CampaignDocuments.cs).
        services.AddCampaignDocuments();

        // Analytics (its tables are listed in Analytics/AnalyticsDocuments.cs).
        services.AddAnalyticsDocuments();

        // Dynamic replenishment (its tables are listed in Inventory/ReplenishmentDocuments.cs).
        services.AddReplenishmentDocuments();

        // Social fission (its tables are listed in Fission/FissionDocuments.cs).
        services.AddFissionDocuments();

        // Campaign compliance checks, one row per check in a partition per CST month.
        services.AddDocuments<ComplianceCheck>("ComplianceChecks");

        // Card collecting (its tables are listed in CardCollecting/CardCollectingDocuments.cs).
        services.AddCardCollectingDocuments();

        // Recommendations (its tables are listed in Recommendations/RecommendationDocuments.cs).
        services.AddRecommendationDocuments();
        return services;
    }

    /// <summary>Declares a table the mall uses (see <see cref="MallTable"/>).</summary>
    public static IServiceCollection AddTable(this IServiceCollection services, string tableName) =>
        services.AddSingleton(new MallTable(tableName));

    /// <param name="orderIdOf">For tables keyed by order: the order id of a key, which the storage spans carry.</param>
    public static IServiceCollection AddDocuments<T>(this IServiceCollection services, string tableName, Func<T, IReadOnlyDictionary<string, object?>>? indexedColumns = null, Func<DocumentKey, string?>? orderIdOf = null)
        where T : class =>
        services.AddTable(tableName).AddSingleton<IDocumentCollection<T>>(sp => new OutboxDocumentCollection<T>(
            tableName,
            new TracedDocumentCollection<T>(tableName, new TableDocumentCollection<T>(sp.GetRequiredService<TableProvider>(), new DocumentCollectionDefinition<T>(tableName, indexedColumns)), orderIdOf),
            sp.GetRequiredService<IDispatchQueue>(),
            sp.GetRequiredService<EventOptions>(),
            sp.GetRequiredService<TimeProvider>()));
}
