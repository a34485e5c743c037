using Mall.Application.Catalog;
using Mall.Application.Customers;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.WeChat;
using Mall.Domain.Catalog;
using Mall.Testing;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.IntegrationTests;

/// <summary>The mall's real services over Azurite and the in-process WeChat sandbox, plus helpers to set up a shop.</summary>
public sealed class MallFixture : IAsyncDisposable
{
    private int customerCount;

    private MallFixture(MallTestEnvironment environment, Action<IServiceCollection>? configureServices)
    {
        Environment = environment;
        Services = environment.BuildServices(configureServices);
        Events = EventPump.For(Services);
    }

    public MallTestEnvironment Environment { get; }

    public ServiceProvider Services { get; }

    /// <summary>The dispatch function's work, on demand: <c>await mall.Events.DrainAsync()</c> lets the mall react to what happened.</summary>
    public EventPump Events { get; }

    public static async Task<MallFixture> StartAsync(TimeProvider? time = null, IReadOnlyDictionary<string, string?>? overrides = null, Action<IServiceCollection>? configureServices = null) =>
        new(await MallTestEnvironment.StartAsync(time: time, overrides: overrides), configureServices);

    public T Get<T>()
        where T : notnull => Services.GetRequiredService<T>();

    /// <summary>Creates a category and an on-sale product with one SKU per given stock level.</summary>
    public async Task<Product> CreateProductAsync(long priceFen, int? purchaseLimit, params long[] stock)
    {
        var admin = Get<CatalogAdminService>();
        await admin.SaveCategoryAsync("tea", new CategoryRequest("Tea", 1), CancellationToken.None);
        var skus = stock.Select((units, i) => new SkuRequest { Name = $"sku {i}", PriceFen = priceFen, Enabled = true, InitialStock = units }).ToList();
        var view = await admin.CreateProductAsync(new ProductRequest { Title = "Longjing", CategoryId = "tea", Tags = [], PurchaseLimit = purchaseLimit, Status = ProductStatus.OnSale, Skus = skus }, CancellationToken.None);
        return view.Product;
    }

    /// <summary>A new customer, logged in through jscode2session at the sandbox from a phone (client address) of its own.</summary>
    public async Task<string> NewCustomerAsync(string? inviteCode = null)
    {
        var number = Interlocked.Increment(ref customerCount);
        var login = await Get<CustomerService>().LoginAsync(new LoginRequest($"user{number}-{Guid.NewGuid():N}#1", inviteCode), ClientAddress(number), CancellationToken.None);
        return login.CustomerId;
    }

    /// <summary>
    /// The customer taps "accept" for <paramref name="templateIds"/> in wx.requestSubscribeMessage: WeChat (the
    /// sandbox) counts one acceptance of each, and the mini-program reports them to the mall (POST /me/subscriptions).
    /// </summary>
    public async Task<IReadOnlyList<SubscriptionView>> AcceptSubscribeMessagesAsync(string customerId, params string[] templateIds)
    {
        var openId = (await Get<CustomerService>().GetAsync(customerId, CancellationToken.None)).OpenId;
        foreach (var templateId in templateIds)
        {
            Environment.Sandbox.AcceptSubscribeMessages(openId, templateId);
        }

        return await Get<SubscriptionService>().GrantAsync(customerId, new SubscriptionsRequest(templateIds), CancellationToken.None);
    }

    /// <summary>A distinct client address per number (10.x.y.z).</summary>
    public static string ClientAddress(int number) => $"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}";

    /// <summary>The sandbox's signed payment notification for an order it has been paid for.</summary>
    public WebhookRequest PaymentNotification(string orderId)
    {
        var webhook = Environment.Sandbox.BuildPaymentNotification(Environment.Sandbox.FindTransaction(orderId)!.Resource);
        return new WebhookRequest(webhook.Body, webhook.Headers);
    }

    /// <summary>Pays an order at the sandbox and delivers the notification to the mall.</summary>
    public async Task PayAsync(string customerId, string orderId)
    {
        var payments = Get<PaymentService>();
        await payments.PayAsync(customerId, orderId, CancellationToken.None);
        await Environment.Sandbox.PayAsync(orderId, new SandboxPayOptions { Notify = false });
        await payments.HandleNotificationAsync(PaymentNotification(orderId), CancellationToken.None);
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "Condition not met within 15 s.");
            await Task.Delay(200);
        }
    }

    public static CheckoutRequest Buy(string skuId, int quantity) =>
        new()
        {
            Items = [new OrderItemRequest(skuId, quantity)],
            Address = new AddressRequest { Recipient = "张三", Phone = "13812345678", Province = "浙江省", City = "杭州市", District = "西湖区", Detail = "龙井路 1 号" },
        };

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Environment.DisposeAsync();
    }
}
