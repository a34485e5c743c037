using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FluentValidation;
using Mall.Application.FlashSale;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.FlashSale;
using Mall.Functions;
using Mall.Infrastructure.Storage;
using Mall.LocalHost.Engine;
using Mall.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mall.Benchmarks;

/// <summary>
/// The flash sale of issue 9 through the local host's HTTP API on Azurite: many signed-in customers
/// reserving one SKU at once, on the sharded design and — in the same run, on the same customers,
/// product and Azurite — on the naive one (one stock entity, ETag retry, no full-shard hints), each on
/// a host of its own with that host's settings; then what storage holds is checked. The product page
/// is measured against a bare point read of the product in the same run.
/// </summary>
internal static class FlashSaleBenchmark
{
    private const int PerCustomerLimit = 1;
    private const int WarmUpCustomers = 64;

    public static async Task RunAsync(int customers, int attempts, int concurrency, int quantity, int reads, int readConcurrency)
    {
        Console.WriteLine($"Flash-sale benchmark: {attempts:N0} attempts from {customers:N0} customers at concurrency {concurrency}, {quantity} units, per-customer limit {PerCustomerLimit}");
        Console.WriteLine($"Load average (1, 5, 15 min) before: {Load.LoadAverage()}; {Environment.ProcessorCount} cores; server GC {System.Runtime.GCSettings.IsServerGC}");
        // Its own Azurite (in memory, free ports), so its CPU time can be read from /proc.
        await using var azurite = await Azurite.StartOwnAsync();
        Environment.SetEnvironmentVariable("MALL_TEST_STORAGE_CONNECTION", azurite.ConnectionString);

        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // Orders stay unpaid for the whole run: no unit comes back to a sale while it is measured.
            [$"{FlashSaleOptions.SectionName}:UnpaidMinutes"] = "120",
        };

        // Every minute of the day is a slot, so a sale can start at the current minute.
        for (var minute = 0; minute < 24 * 60; minute++)
        {
            overrides[$"{FlashSaleOptions.SectionName}:Slots:{minute}"] = $"{minute / 60:D2}:{minute % 60:D2}";
        }

        await using var environment = await MallTestEnvironment.StartAsync(overrides: overrides);
        var logPath = Path.Combine(Path.GetTempPath(), $"flash-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
        using var logs = new CountingLoggerProvider(logPath);
        await using var sharded = await BenchHost.StartAsync("sharded", environment, logs, new Dictionary<string, string?>(), _ => { });
        await using var naive = await BenchHost.StartAsync("naive", environment, logs, new Dictionary<string, string?>
        {
            // The naive design: every refusal goes to storage (no full-shard hints), and the product page as before the one-second view.
            [$"{FlashSaleOptions.SectionName}:FullShardCacheMilliseconds"] = "0",
            ["Catalog:ProductCacheMilliseconds"] = "0",
        }, services => services.AddSingleton<IValidator<FlashSaleRequest>, OneStockEntityValidator>());
        await using var services = environment.BuildServices();
        Console.WriteLine($"Azurite pid {azurite.ProcessId}; hosts at {sharded.Host.BaseAddress} (sharded) and {naive.Host.BaseAddress} (naive); host warnings and errors in {logPath}");

        var admin = await sharded.AdminTokenAsync(environment);
        var (productId, skuId) = await sharded.CreateProductAsync(admin, "flash", 9_900, (quantity * 2) + 100);
        var (_, warmUpSkuId) = await sharded.CreateProductAsync(admin, "warm-up", 9_900, 1_000);

        Console.WriteLine($"Signing in {customers + WarmUpCustomers:N0} customers through the WeChat sandbox…");
        var signIn = Stopwatch.StartNew();
        var all = await sharded.SignInAsync(customers + WarmUpCustomers, 16);
        var (shoppers, warmUpShoppers) = (all[..customers], all[customers..]);
        Console.WriteLine($"  done in {signIn.Elapsed.TotalSeconds:F1} s");

        // Warm-up: every path the measured phases take, on another SKU, with other customers.
        foreach (var host in new[] { naive, sharded })
        {
            Console.WriteLine($"Warming up the {host.Name} host…");
            var warmUp = await host.CreateSaleAsync(admin, warmUpSkuId, 20, host == naive ? 1 : null, $"warm-up-{host.Name}");
            await Load.RunAsync(warmUpShoppers.Length * 3, 16, i => host.ReserveAsync(warmUp.Id, warmUpShoppers[i % warmUpShoppers.Length], $"warm-{host.Name}-{i}"));
            await host.EndSaleAsync(admin, warmUp.Id);
            await Load.RunAsync(2_000, readConcurrency, _ => host.ReadProductAsync(productId));
        }

        var table = await services.GetRequiredService<TableProvider>().GetAsync("Products", CancellationToken.None);
        await Load.RunAsync(2_000, readConcurrency, _ => BarePointReadAsync(table, productId));

        Console.WriteLine("Product reads…");
        var readResults = new List<ReadResult>
        {
            await MeasureReadsAsync("bare point read of the product (TableClient, no host)", reads, readConcurrency, azurite, () => BarePointReadAsync(table, productId)),
            await MeasureReadsAsync("GET /api/products/{id}, one-second view (sharded host)", reads, readConcurrency, azurite, () => sharded.ReadProductAsync(productId)),
            await MeasureReadsAsync("GET /api/products/{id}, no view: product + stock query (naive host)", reads, readConcurrency, azurite, () => naive.ReadProductAsync(productId)),
            await MeasureReadsAsync("bare point read of the product (TableClient, no host)", reads, concurrency, azurite, () => BarePointReadAsync(table, productId)),
            await MeasureReadsAsync("GET /api/products/{id}, one-second view (sharded host)", reads, concurrency, azurite, () => sharded.ReadProductAsync(productId)),
        };

        // The same attempts in the same order for both designs: each customer tries attemptsPerCustomer times, shuffled.
        var plan = Enumerable.Range(0, attempts).Select(i => (Customer: shoppers[i % customers], Try: i / customers)).ToArray();
        new Random(20261209).Shuffle(plan);

        var phases = new List<PhaseResult>();
        foreach (var (host, shards) in new[] { (naive, (int?)1), (sharded, (int?)null) })
        {
            await DrainDispatchAsync(environment);
            var started = DateTime.UtcNow;
            phases.Add(await RunPhaseAsync(host, admin, skuId, quantity, shards, plan, concurrency, azurite, services));

            // Reservations are limited per customer per minute: the next phase starts a minute after this one did.
            var wait = started.AddSeconds(61) - DateTime.UtcNow;
            if (wait > TimeSpan.Zero && host == naive)
            {
                Console.WriteLine($"  waiting {wait.TotalSeconds:F0} s so the next phase's attempts are not limited by this one's");
                await Task.Delay(wait);
            }
        }

        Console.WriteLine($"Load average (1, 5, 15 min) after: {Load.LoadAverage()}");
        Report(readResults, phases, logs, concurrency, readConcurrency);
    }

    private static async Task<ReadResult> MeasureReadsAsync(string name, int count, int concurrency, Azurite azurite, Func<Task<Sample>> read)
    {
        var cpu = new CpuMeter(azurite.ProcessId!.Value);
        var (samples, elapsed) = await Load.RunAsync(count, concurrency, _ => read());
        var (azuriteShare, selfShare) = cpu.Shares();
        var failed = samples.Count(s => s.Status != 200);
        var result = new ReadResult(name, concurrency, count, elapsed, Load.Quantile(samples, 0.5), Load.Quantile(samples, 0.99), failed, azuriteShare, selfShare);
        Console.WriteLine($"  {name} at {concurrency}: {count / elapsed.TotalSeconds:N0}/s, p50 {Load.Ms(result.P50)} ms, p99 {Load.Ms(result.P99)} ms{(failed > 0 ? $", {failed} not 200" : string.Empty)}");
        return result;
    }

    private static async Task<Sample> BarePointReadAsync(TableClient table, string productId)
    {
        var start = Stopwatch.GetTimestamp();
        var response = await table.GetEntityAsync<TableEntity>(productId, string.Empty);
        return new Sample(start, Stopwatch.GetTimestamp(), response.GetRawResponse().Status, null, null);
    }

    private static async Task<PhaseResult> RunPhaseAsync(
        BenchHost host,
        string admin,
        string skuId,
        int quantity,
        int? shards,
        (Shopper Customer, int Try)[] plan,
        int concurrency,
        Azurite azurite,
        ServiceProvider services)
    {
        var sale = await host.CreateSaleAsync(admin, skuId, quantity, shards, $"bench-{host.Name}");
        Console.WriteLine($"Phase {host.Name}: sale {sale.Id}, {sale.Shards} shard(s), {plan.Length:N0} attempts at concurrency {concurrency}…");
        var before = (Shards: host.Shards.Snapshot(), Takes: host.Takes.Snapshot());
        var cpu = new CpuMeter(azurite.ProcessId!.Value);
        var keys = plan.Select(p => $"{host.Name}-{p.Customer.Index}-{p.Try}").ToArray();
        var (samples, elapsed) = await Load.RunAsync(plan.Length, concurrency, i => host.ReserveAsync(sale.Id, plan[i].Customer, keys[i]));
        var (azuriteShare, selfShare) = cpu.Shares();
        var after = (Shards: host.Shards.Snapshot(), Takes: host.Takes.Snapshot());
        Console.WriteLine($"  {elapsed.TotalSeconds:F1} s, {plan.Length / elapsed.TotalSeconds:N0} attempts/s; Azurite {azuriteShare:P0} of a core, benchmark process {selfShare:P0}");

        // What storage says, not what the answers said: the operator's view, then the shards' holders and the customers' takes.
        var view = await host.GetSaleAsync(admin, sale.Id);
        var orderOwners = plan.Select((p, i) => (Order: Ids.Derive("O", p.Customer.Id, sale.Id, keys[i]), p.Customer.Id)).ToDictionary(x => x.Order, x => x.Id, StringComparer.Ordinal);
        var shardCollection = services.GetRequiredService<IDocumentCollection<FlashShard>>();
        var holders = new List<string>();
        for (var shard = 0; shard < sale.Shards; shard++)
        {
            holders.AddRange((await shardCollection.FindAsync(FlashStock.ShardKey(sale.Id, shard), CancellationToken.None))?.Value.Holders ?? []);
        }

        var takes = services.GetRequiredService<IDocumentCollection<FlashTake>>();
        var strandedTakes = 0;
        var takeCount = 0;
        var heldSet = holders.ToHashSet(StringComparer.Ordinal);
        await Parallel.ForEachAsync(plan.Select(p => p.Customer).DistinctBy(c => c.Id), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (customer, ct) =>
        {
            var page = await takes.QueryAsync(new DocumentQuery { PartitionKey = $"flashtake|{sale.Id}|{customer.Id}" }, null, 100, ct);
            Interlocked.Add(ref takeCount, page.Items.Count);
            Interlocked.Add(ref strandedTakes, page.Items.Count(t => !heldSet.Contains(t.Value.OrderId)));
        });

        var accepted = samples.Where(s => s.Status == 201).ToList();
        var answeredOrders = accepted.Select(s => s.OrderId!).ToHashSet(StringComparer.Ordinal);
        var result = new PhaseResult(
            host.Name,
            sale.Shards,
            quantity,
            samples,
            elapsed,
            after.Shards.Conflicts - before.Shards.Conflicts,
            after.Takes.Conflicts - before.Takes.Conflicts,
            after.Shards.Reads - before.Shards.Reads,
            after.Shards.Writes - before.Shards.Writes,
            view.Held,
            view.Remaining,
            holders.Count,
            holders.Where(orderOwners.ContainsKey).GroupBy(o => orderOwners[o]).Count(g => g.Count() > PerCustomerLimit),
            holders.Count(o => !orderOwners.ContainsKey(o)),
            holders.GroupBy(o => o, StringComparer.Ordinal).Count(g => g.Count() > 1),
            answeredOrders.Count(o => !heldSet.Contains(o)),
            heldSet.Count(o => !answeredOrders.Contains(o)),
            takeCount,
            strandedTakes,
            azuriteShare,
            selfShare);
        await host.EndSaleAsync(admin, sale.Id);
        return result;
    }

    /// <summary>Waits (at most two minutes) until the events of what came before are delivered, so a phase does not pay for the last one's.</summary>
    private static async Task DrainDispatchAsync(MallTestEnvironment environment)
    {
        var queue = new QueueClient(environment.Settings["Storage:ConnectionString"], environment.Settings["Events:DispatchQueue"]);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        int count;
        while ((count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        if (count > 0)
        {
            Console.WriteLine($"  (the dispatch queue still holds {count} messages)");
        }
    }

    private static void Report(IReadOnlyList<ReadResult> reads, IReadOnlyList<PhaseResult> phases, CountingLoggerProvider logs, int concurrency, int readConcurrency)
    {
        Console.WriteLine();
        Console.WriteLine("| product read | concurrency | requests | req/s | p50 ms | p99 ms | ratio to bare read | Azurite CPU | benchmark process CPU |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var read in reads)
        {
            var bare = reads.First(r => r.Concurrency == read.Concurrency);
            Console.WriteLine($"| {read.Name} | {read.Concurrency} | {read.Count:N0}{(read.Failed > 0 ? $" ({read.Failed} failed)" : string.Empty)} | {read.PerSecond:N0} | {Load.Ms(read.P50)} | {Load.Ms(read.P99)} | {read.PerSecond / bare.PerSecond:F2}× | {read.AzuriteShare:P0} | {read.SelfShare:P0} |");
        }

        Console.WriteLine();
        Console.WriteLine("| design | shards | attempts/s | accepted | p50 / p99 accepted ms | refused | p50 / p99 refused ms | refused after sell-out | p50 / p99 after sell-out ms | other answers | lost shard writes (conflicts) | lost take inserts | shard reads / writes | sold (held) | oversold | duplicate takes | Azurite CPU | benchmark process CPU |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var p in phases)
        {
            var other = string.Join(", ", p.Samples.Where(s => s.Status != 201 && s.Status != 409).GroupBy(s => $"{s.Status} {s.Code}").Select(g => $"{g.Key}: {g.Count()}"));
            Console.WriteLine($"| {p.Name} | {p.Shards} | {p.AttemptsPerSecond:N0} | {p.Accepted.Count} | {Load.Ms(Load.Quantile(p.Accepted, 0.5))} / {Load.Ms(Load.Quantile(p.Accepted, 0.99))} | {p.Refused.Count} | {Load.Ms(Load.Quantile(p.Refused, 0.5))} / {Load.Ms(Load.Quantile(p.Refused, 0.99))} | {p.RefusedAfterSellOut.Count} | {Load.Ms(Load.Quantile(p.RefusedAfterSellOut, 0.5))} / {Load.Ms(Load.Quantile(p.RefusedAfterSellOut, 0.99))} | {(other.Length == 0 ? "none" : other)} | {p.ShardConflicts:N0} | {p.TakeConflicts:N0} | {p.ShardReads:N0} / {p.ShardWrites:N0} | {p.Held} | {Math.Max(0, p.Held - p.Quantity)} | {p.CustomersOverLimit} | {p.AzuriteShare:P0} | {p.SelfShare:P0} |");
        }

        Console.WriteLine();
        foreach (var p in phases)
        {
            var codes = string.Join(", ", p.Refused.GroupBy(s => s.Code).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}"));
            Console.WriteLine($"{p.Name}: {p.Samples.Length:N0} attempts in {p.Elapsed.TotalSeconds:F1} s; refusals: {codes}");
            Console.WriteLine($"  storage: operator API held {p.Held}, remaining {p.Remaining}; shard holders {p.Holders} ({p.HoldersDistinctTwice} orders held twice, {p.UnknownHolders} not from this run); takes {p.Takes} ({p.StrandedTakes} with no unit held)");
            Console.WriteLine($"  answers vs storage: {p.AcceptedNotHeld} orders answered 201 but holding no unit, {p.HeldNotAccepted} units held by orders not answered 201");
            var soldOut = p.SoldOutAt;
            var slow = p.RefusedAfterSellOut.Where(s => s.Milliseconds > 20).ToList();
            var bySecond = slow.GroupBy(s => (int)((s.Start - soldOut) / Stopwatch.Frequency)).OrderBy(g => g.Key).Select(g => $"{g.Key} s: {g.Count()}").ToList();
            Console.WriteLine($"  refusals after sell-out slower than 20 ms: {slow.Count} of {p.RefusedAfterSellOut.Count}, by second after the first sold-out answer: {string.Join(", ", bySecond.Take(12))}{(bySecond.Count > 12 ? ", …" : string.Empty)}; the sale sold out {(soldOut - p.Samples.Min(s => s.Start)) / (double)Stopwatch.Frequency:F1} s into the phase");
        }

        var naive = phases.First(p => p.Name == "naive");
        var best = phases.First(p => p.Name == "sharded");
        var readAtConcurrency = reads.Last(r => r.Concurrency == concurrency && r.Name.StartsWith("GET", StringComparison.Ordinal));
        var cachedRead = reads.First(r => r.Concurrency == readConcurrency && r.Name.Contains("one-second", StringComparison.Ordinal));
        var bareRead = reads.First(r => r.Concurrency == readConcurrency);
        Console.WriteLine();
        Console.WriteLine("Goals:");
        Console.WriteLine($"  attempts/s ≥ 5× naive: {best.AttemptsPerSecond / naive.AttemptsPerSecond:F2}×");
        Console.WriteLine($"  p99 of refusals after sell-out ≤ 2× p99 of a product read at concurrency {concurrency}: {Load.Ms(Load.Quantile(best.RefusedAfterSellOut, 0.99))} ms vs {Load.Ms(readAtConcurrency.P99)} ms = {Load.Quantile(best.RefusedAfterSellOut, 0.99) / readAtConcurrency.P99:F2}×");
        foreach (var p in phases)
        {
            Console.WriteLine($"  {p.Name}: sold {p.Held} of {p.Quantity}, oversold {Math.Max(0, p.Held - p.Quantity)}, duplicate takes {p.CustomersOverLimit}");
        }

        Console.WriteLine($"  product page ≥ 1× bare point read at concurrency {readConcurrency}: {cachedRead.PerSecond / bareRead.PerSecond:F2}×");
        Console.WriteLine();
        Console.WriteLine(logs.Counts.Count == 0
            ? "Host warnings and errors: none."
            : $"Host warnings and errors ({logs.Path}): {string.Join("; ", logs.Counts.OrderByDescending(c => c.Value).Select(c => $"{c.Key} ×{c.Value}"))}");
    }

    private sealed record ReadResult(string Name, int Concurrency, int Count, TimeSpan Elapsed, double P50, double P99, int Failed, double AzuriteShare, double SelfShare)
    {
        public double PerSecond => Count / Elapsed.TotalSeconds;
    }

    private sealed record PhaseResult(
        string Name,
        int Shards,
        int Quantity,
        Sample[] Samples,
        TimeSpan Elapsed,
        long ShardConflicts,
        long TakeConflicts,
        long ShardReads,
        long ShardWrites,
        int Held,
        int Remaining,
        int Holders,
        int CustomersOverLimit,
        int UnknownHolders,
        int HoldersDistinctTwice,
        int AcceptedNotHeld,
        int HeldNotAccepted,
        int Takes,
        int StrandedTakes,
        double AzuriteShare,
        double SelfShare)
    {
        public double AttemptsPerSecond => Samples.Length / Elapsed.TotalSeconds;

        public List<Sample> Accepted => Samples.Where(s => s.Status == 201).ToList();

        public List<Sample> Refused => Samples.Where(s => s.Status == 409).ToList();

        /// <summary>Refusals of attempts sent once the first FLASH_SALE_SOLD_OUT answer had arrived: the sale was sold out by then.</summary>
        public List<Sample> RefusedAfterSellOut => Refused.Where(s => s.Start >= SoldOutAt).ToList();

        /// <summary>When the first FLASH_SALE_SOLD_OUT answer arrived (Stopwatch ticks).</summary>
        public long SoldOutAt => Samples.Where(s => s.Code == "FLASH_SALE_SOLD_OUT").Select(s => s.End).DefaultIfEmpty(long.MaxValue).Min();
    }
}

/// <summary>
/// The operator's validation of a sale, without the cap of <see cref="FlashSaleSession.MaxUnitsPerShard"/> units per
/// shard, so the naive design — all units in one stock entity — can be scheduled with the same request.
/// </summary>
internal sealed class OneStockEntityValidator : AbstractValidator<FlashSaleRequest>
{
    public OneStockEntityValidator()
    {
        RuleFor(r => r.SkuId).NotEmpty().MustBeAnId();
        RuleFor(r => r.PriceFen).NotNull().GreaterThan(0);
        RuleFor(r => r.Quantity).NotNull().InclusiveBetween(1, FlashSaleSession.MaxQuantity);
        RuleFor(r => r.PerCustomerLimit).InclusiveBetween(1, 100);
        RuleFor(r => r.StartsAt).NotNull();
        RuleFor(r => r.DurationMinutes).InclusiveBetween(1, 24 * 60);
        RuleFor(r => r.Shards).InclusiveBetween(1, FlashSaleSession.MaxShards).LessThanOrEqualTo(r => r.Quantity ?? int.MaxValue);
    }
}

internal sealed record Shopper(int Index, string Id, string Token);

internal sealed record SaleInfo(string Id, int Shards);

/// <summary>A local host in this process (as the end-to-end tests run it) on the run's Azurite and settings, plus its own.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private static readonly byte[] ReservationBodyBytes = JsonSerializer.SerializeToUtf8Bytes(new { address = SampleAddress.Body });

    private BenchHost(string name, LocalFunctionHost host, StorageCounts shards, StorageCounts takes)
    {
        Name = name;
        Host = host;
        Shards = shards;
        Takes = takes;
        Http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = new Uri(host.BaseAddress, "api/"),
            Timeout = TimeSpan.FromSeconds(100),
        };
    }

    public string Name { get; }

    public LocalFunctionHost Host { get; }

    public HttpClient Http { get; }

    public StorageCounts Shards { get; }

    public StorageCounts Takes { get; }

    public static async Task<BenchHost> StartAsync(string name, MallTestEnvironment environment, CountingLoggerProvider logs, IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection> configure)
    {
        var (shards, takes) = (new StorageCounts(), new StorageCounts());
        var host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
        {
            FunctionAppDirectory = RepositoryPaths.BuildOutput("functions/Mall.Functions"),
            Configuration = new ConfigurationBuilder().AddInMemoryCollection(environment.Settings).AddInMemoryCollection(settings).Build(),
            ConfigureServices = (services, configuration) =>
            {
                services.AddSingleton(environment.Time).AddMallFunctions(configuration);
                StorageCounts.Decorate<FlashShard>(services, shards);
                StorageCounts.Decorate<FlashTake>(services, takes);
                configure(services);
            },
            ConfigureLogging = logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Warning).AddProvider(logs.For(name)),
            RunTimers = false,
        });
        return new BenchHost(name, host, shards, takes);
    }

    public async Task<string> AdminTokenAsync(MallTestEnvironment environment)
    {
        var login = await SendAsync(HttpMethod.Post, "manage/auth/login", null, new { username = environment.AdminUser, password = environment.AdminPassword });
        return login.GetProperty("token").GetString()!;
    }

    public async Task<(string ProductId, string SkuId)> CreateProductAsync(string admin, string category, long priceFen, long stock)
    {
        await SendAsync(HttpMethod.Put, $"manage/categories/{category}", admin, new { name = category, sort = 1 });
        var created = await SendAsync(HttpMethod.Post, "manage/products", admin, new
        {
            title = $"龙井 {category}",
            categoryId = category,
            status = "onSale",
            skus = new[] { new { name = "50g", priceFen, initialStock = stock } },
        });
        var product = created.GetProperty("product");
        return (product.GetProperty("id").GetString()!, product.GetProperty("skus")[0].GetProperty("id").GetString()!);
    }

    /// <summary>Customers signed in with sandbox login codes, each from an address of its own (sign-ins are limited per address).</summary>
    public async Task<Shopper[]> SignInAsync(int count, int concurrency)
    {
        var customers = new Shopper[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, _) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "auth/login") { Content = Json(new { code = $"flash-bench-{i}#{i}" }) };
            request.Headers.Add("X-Forwarded-For", $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");
            var login = await ReadAsync(await Http.SendAsync(request, CancellationToken.None), request);
            customers[i] = new Shopper(i, login.GetProperty("customerId").GetString()!, login.GetProperty("token").GetString()!);
        });
        return customers;
    }

    public async Task<SaleInfo> CreateSaleAsync(string admin, string skuId, int quantity, int? shards, string idempotencyKey)
    {
        var now = DateTimeOffset.UtcNow;
        var startsAt = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        var created = await SendAsync(HttpMethod.Post, "manage/flash-sales", admin, new { skuId, priceFen = 3_900, quantity, perCustomerLimit = 1, startsAt, durationMinutes = 60, shards }, idempotencyKey);
        var sale = created.GetProperty("sale");
        return new SaleInfo(sale.GetProperty("id").GetString()!, sale.GetProperty("shards").GetInt32());
    }

    public async Task<(int Held, int Remaining)> GetSaleAsync(string admin, string saleId)
    {
        var view = await SendAsync(HttpMethod.Get, $"manage/flash-sales/{saleId}", admin, null);
        return (view.GetProperty("held").GetInt32(), view.GetProperty("remaining").GetInt32());
    }

    public Task EndSaleAsync(string admin, string saleId) => SendAsync(HttpMethod.Post, $"manage/flash-sales/{saleId}/end", admin, new { });

    public async Task<Sample> ReserveAsync(string saleId, Shopper customer, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"flash-sales/{saleId}/reservations") { Content = new ByteArrayContent(ReservationBodyBytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", customer.Token);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        var start = Stopwatch.GetTimestamp();
        try
        {
            using var response = await Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            var end = Stopwatch.GetTimestamp();
            using var json = body.Length == 0 ? null : JsonDocument.Parse(body);
            var status = (int)response.StatusCode;
            return status == 201
                ? new Sample(start, end, status, null, json!.RootElement.GetProperty("id").GetString())
                : new Sample(start, end, status, json is not null && json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return new Sample(start, Stopwatch.GetTimestamp(), 0, exception.GetType().Name, null);
        }
    }

    public async Task<Sample> ReadProductAsync(string productId)
    {
        var start = Stopwatch.GetTimestamp();
        using var response = await Http.GetAsync($"products/{productId}", HttpCompletionOption.ResponseContentRead);
        await response.Content.ReadAsByteArrayAsync();
        return new Sample(start, Stopwatch.GetTimestamp(), (int)response.StatusCode, null, null);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Host.DisposeAsync();
    }

    private static readonly JsonSerializerOptions WebJson = new(JsonSerializerDefaults.Web);

    private static ByteArrayContent Json(object body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, WebJson));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, string? token, object? body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : Json(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await ReadAsync(await Http.SendAsync(request), request);
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpRequestMessage request)
    {
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
            }

            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
