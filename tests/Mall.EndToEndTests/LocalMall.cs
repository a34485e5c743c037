using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Mall.Functions;
using Mall.LocalHost.Engine;
using Mall.EndToEndTests.Customers;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.EndToEndTests;

/// <summary>
/// The mall as a developer runs it: the local Functions host serving the real function classes over
/// HTTP, on Azurite, talking to the WeChat sandbox, which notifies it back at its notify URLs.
/// </summary>
public sealed class LocalMall : IAsyncLifetime
{
    public const int SettleAfterCompletionSeconds = 4;

    public const string LockableOperator = "night-shift";

    public const string LockableOperatorPassword = "correct horse battery staple";

    private readonly CapturedLogs? capturedLogs;
    private readonly Action<IServiceCollection>? configureServices;
    private int nextCustomer;
    private Uri baseAddress = null!;
    private Task<ApiContract>? contract;

    public LocalMall()
    {
    }

    /// <summary>A mall of a test's own whose host logs everything, at every level, to <paramref name="capturedLogs"/> as well.</summary>
    internal LocalMall(CapturedLogs capturedLogs)
    {
        this.capturedLogs = capturedLogs;
    }

    /// <summary>A mall of a test's own whose host services <paramref name="configureServices"/> adds to (e.g. a telemetry exporter).</summary>
    internal LocalMall(Action<IServiceCollection> configureServices)
    {
        this.configureServices = configureServices;
    }

    /// <summary>A mall of a test's own that logs everything to <paramref name="capturedLogs"/> and has the services <paramref name="configureServices"/> adds.</summary>
    internal LocalMall(CapturedLogs capturedLogs, Action<IServiceCollection> configureServices)
    {
        this.capturedLogs = capturedLogs;
        this.configureServices = configureServices;
    }

    public MallTestEnvironment Environment { get; private set; } = null!;

    public LocalFunctionHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // The notify URLs WeChat calls must be known before the mall starts, so choose its port first.
        baseAddress = new Uri($"http://127.0.0.1:{FreeTcpPort()}/");
        Environment = await MallTestEnvironment.StartAsync(baseAddress, overrides: new Dictionary<string, string?>
        {
            // Commission settles seconds (not days) after an order completes, so a test can watch it.
            ["Distribution:SettleAfterCompletionSeconds"] = SettleAfterCompletionSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            // A second operator whose sign-ins a test may lock out without locking the others out.
            ["Admin:Users:1:Name"] = LockableOperator,
            ["Admin:Users:1:PasswordHash"] = Mall.Application.Platform.PasswordHashing.Hash(LockableOperatorPassword),
        });
        Host = await StartHostAsync();
    }

    /// <summary>
    /// Stops the local host and starts a new one on the same port, settings, tables and task hub, as a
    /// developer restarting eng/run-local.sh does; <paramref name="whileStopped"/> runs in between.
    /// </summary>
    public async Task RestartHostAsync(Func<Task>? whileStopped = null)
    {
        await Host.DisposeAsync();
        await (whileStopped?.Invoke() ?? Task.CompletedTask);
        Host = await StartHostAsync();
    }

    private Task<LocalFunctionHost> StartHostAsync() => LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
    {
        FunctionAppDirectory = RepositoryPaths.BuildOutput("functions/Mall.Functions"),
        Configuration = Environment.BuildConfiguration(),
        ConfigureServices = (services, configuration) =>
        {
            services.AddSingleton(Environment.Time).AddMallFunctions(configuration);
            configureServices?.Invoke(services);
        },
        ConfigureLogging = logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            if (capturedLogs is not null)
            {
                // A rule for the provider itself outranks every category rule of the host's, so it gets everything.
                logging.AddProvider(capturedLogs).AddFilter<CapturedLogs>(null, LogLevel.Trace);
            }
        },
        Url = baseAddress.ToString().TrimEnd('/'),
        RunTimers = false,
    });

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Environment.DisposeAsync();
    }

    /// <summary>
    /// Runs a timer function through the admin API as a developer does with curl: 202 at once, the run
    /// goes on in the background, so wait for something the run does last.
    /// </summary>
    public async Task RunThroughAdminApiAsync(string function)
    {
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"admin/functions/{function}") { Content = JsonContent.Create(new { input = "" }) };
        request.Headers.Add("x-functions-key", Host.MasterKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>
    /// Waits for a daily run (segmentation, reactivation) started at or after <paramref name="requestedAt"/>
    /// to be completed, as its operator report shows it: the checkpoint with CompletedAt is its last write.
    /// </summary>
    public static Task<JsonElement> WaitForCompletedRunAsync(ApiClient admin, string report, DateTimeOffset requestedAt) =>
        WaitForAsync(admin, report, body => body.GetProperty("runs").EnumerateArray().Any(run =>
            run.TryGetProperty("completedAt", out var completedAt) && completedAt.ValueKind == JsonValueKind.String
            && run.GetProperty("startedAt").GetDateTimeOffset() >= requestedAt.AddSeconds(-1)));

    /// <summary>A client without credentials.</summary>
    public ApiClient Anonymous() => new(ApiHttp());

    /// <summary>
    /// Logs a new customer in through jscode2session with a one-time sandbox code, from a phone of its own:
    /// its client address comes in X-Forwarded-For, as Azure's front end sends it (logins are limited per address).
    /// </summary>
    public async Task<ApiClient> NewCustomerAsync(string? inviteCode = null, string? shareToken = null)
    {
        var number = Interlocked.Increment(ref nextCustomer);
        var user = $"e2e-{Guid.NewGuid():N}";
        var client = new ApiClient(ApiHttp()) { WeChatUser = user };
        client.Http.DefaultRequestHeaders.Add("X-Forwarded-For", $"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}");
        var login = await client.PostAsync("auth/login", new { code = $"{user}#{number}", inviteCode, shareToken });
        Assert.Equal(HttpStatusCode.OK, login.Status);
        client.Authorize(login.Body.GetProperty("token").GetString()!);
        return client;
    }

    /// <summary>
    /// The customer taps "accept" for <paramref name="templateIds"/> in wx.requestSubscribeMessage: WeChat (the
    /// sandbox) counts one acceptance of each, and the mini-program reports them to the mall (POST me/subscriptions).
    /// </summary>
    public Task<ApiResponse> AcceptSubscribeMessagesAsync(ApiClient customer, params string[] templateIds)
    {
        var openId = Environment.Sandbox.OpenIdOf(customer.WeChatUser ?? throw new ArgumentException("A customer logged in with NewCustomerAsync.", nameof(customer)));
        foreach (var templateId in templateIds)
        {
            Environment.Sandbox.AcceptSubscribeMessages(openId, templateId);
        }

        return customer.PostAsync("me/subscriptions", new { templateIds });
    }

    public async Task<ApiClient> AdminAsync()
    {
        var client = Anonymous();
        var login = await client.PostAsync("manage/auth/login", new { username = Environment.AdminUser, password = Environment.AdminPassword });
        Assert.Equal(HttpStatusCode.OK, login.Status);
        client.Authorize(login.Body.GetProperty("token").GetString()!);
        return client;
    }

    /// <summary>An on-sale product with one SKU, created through the admin API; returns the SKU id.</summary>
    public async Task<(string ProductId, string SkuId)> CreateProductAsync(long priceFen, long stock, int? purchaseLimit = null)
    {
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("manage/categories/e2e", new { name = "E2E", sort = 1 })).Status);
        var created = await admin.PostAsync("manage/products", new
        {
            title = "龙井 e2e",
            categoryId = "e2e",
            status = "onSale",
            purchaseLimit,
            skus = new[] { new { name = "50g", priceFen, initialStock = stock } },
        });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var product = created.Body.GetProperty("product");
        return (product.GetProperty("id").GetString()!, product.GetProperty("skus")[0].GetProperty("id").GetString()!);
    }

    public static object Address() => SampleAddress.Body;

    /// <summary>Places an order for <paramref name="quantity"/> of a SKU and asks for its payment parameters.</summary>
    public static async Task<string> PlaceAndPrepayAsync(ApiClient customer, string skuId, int quantity)
    {
        var order = await customer.PostAsync("orders", new { items = new[] { new { skuId, quantity } }, address = Address() }, idempotencyKey: Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, order.Status);
        var orderId = order.Body.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await customer.PostAsync($"orders/{orderId}/pay", new { })).Status);
        return orderId;
    }

    /// <summary>An order for <paramref name="quantity"/> of a SKU, paid through the sandbox and seen paid by its owner.</summary>
    public async Task<string> PaidOrderAsync(ApiClient customer, string skuId, int quantity)
    {
        var orderId = await PlaceAndPrepayAsync(customer, skuId, quantity);
        await Environment.Sandbox.PayAsync(orderId);
        await WaitForOrderAsync(customer, orderId, o => o.GetProperty("status").GetString() == "paid");
        return orderId;
    }

    public static Task<JsonElement> WaitForOrderAsync(ApiClient customer, string orderId, Func<JsonElement, bool> condition) =>
        WaitForAsync(customer, $"orders/{orderId}", condition);

    /// <summary>Reads <paramref name="path"/> until its body meets <paramref name="condition"/> (30 s at most).</summary>
    public static async Task<JsonElement> WaitForAsync(ApiClient client, string path, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var response = await client.GetAsync(path);
            if (condition(response.Body))
            {
                return response.Body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{path} did not reach the expected state; last seen: {response.Body}");
            await Task.Delay(100);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds (30 s at most), for what the API does not show (e.g. the sandbox's records).</summary>
    public static async Task EventuallyAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within 30 s: {what}.");
            await Task.Delay(100);
        }
    }

    /// <summary>The API document the host serves, read once: every client of the tests checks its responses against it.</summary>
    public Task<ApiContract> ContractAsync() => contract ??= ReadContractAsync();

    private async Task<ApiContract> ReadContractAsync()
    {
        using var http = new HttpClient { BaseAddress = Host.BaseAddress };
        return ApiContract.Parse(await http.GetStringAsync("api/openapi.json"));
    }

    private HttpClient ApiHttp() => new(new ContractCheckingHandler(ContractAsync)) { BaseAddress = new Uri(Host.BaseAddress, "api/") };

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(nameof(LocalMall))]
public sealed class LocalMallCollection : ICollectionFixture<LocalMall>;

public sealed record ApiResponse(HttpStatusCode Status, JsonElement Body, string? ContentType);

/// <summary>A mini-program's (or the admin console's) view of the API: JSON in, status + JSON out.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    /// <summary>The WeChat user a customer's mini-program runs for (its login code is "&lt;user&gt;#&lt;n&gt;"); null for others.</summary>
    public string? WeChatUser { get; init; }

    public void Authorize(string token) => http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

    public Task<ApiResponse> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    public Task<ApiResponse> PostAsync(string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return SendAsync(request);
    }

    public Task<ApiResponse> PutAsync(string path, object body) => SendAsync(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) });

    public Task<ApiResponse> DeleteAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Delete, path));

    public async Task<ApiResponse> SendAsync(HttpRequestMessage request)
    {
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        // Only JSON has a body to read: the operator dashboard's page and assets are HTML, CSS and script.
        var json = mediaType is null || mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);
        var body = text.Length == 0 || !json ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse(response.StatusCode, body, mediaType);
    }

    public void Dispose() => http.Dispose();
}
