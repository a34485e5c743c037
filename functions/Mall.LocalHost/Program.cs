using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.Platform;
using Mall.Application.Recommendations;
using Mall.Domain.Recommendations;
using Mall.Functions;
using Mall.LocalHost.Development;
using Mall.LocalHost.Engine;

// The mall's development host: the functions of Mall.Functions' functions.metadata, served without Core Tools.
//   --urls <url>       where to listen (default http://127.0.0.1:7071, like `func start`)
//   --settings <file>  a local.settings.json-style file; repeatable, later files win; environment wins over files
//   --no-timers        do not run timer functions on schedule (POST /admin/functions/{name} still runs them)
//   --dev <dir>        development mode: generated admin password, master key and sample data, state kept in <dir>
var started = System.Diagnostics.Stopwatch.StartNew();
var url = "http://127.0.0.1:7071";
var settingsFiles = new List<string>();
var runTimers = true;
string? devDirectory = null;
for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
    switch (args[i])
    {
        case "--urls": url = Next(); break;
        case "--settings": settingsFiles.Add(Next()); break;
        case "--no-timers": runTimers = false; break;
        case "--dev": devDirectory = Next(); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Mall.LocalHost [--urls url] [--settings file]... [--no-timers] [--dev dir]");
            return 2;
    }
}

var configurationBuilder = new ConfigurationBuilder();
settingsFiles.ForEach(file => configurationBuilder.AddLocalSettingsFile(file));
configurationBuilder.AddEnvironmentVariables();
string? adminPassword = null;
string? masterKey = null;
if (devDirectory is not null)
{
    (adminPassword, var adminSettings) = DevelopmentSetup.PrepareAdmin(devDirectory);
    configurationBuilder.AddInMemoryCollection(adminSettings);
    masterKey = DevelopmentSetup.PrepareMasterKey(devDirectory);
}

await using var host = await LocalFunctionHost.StartAsync(new LocalFunctionHostOptions
{
    // The reference to Mall.Functions copies its build output here: the assemblies, functions.metadata, host.json.
    FunctionAppDirectory = AppContext.BaseDirectory,
    Configuration = configurationBuilder.Build(),
    ConfigureServices = (services, configuration) => services.AddMallFunctions(configuration),
    Url = url,
    MasterKey = masterKey,
    RunTimers = runTimers,
});

if (devDirectory is not null)
{
    var loaded = await SampleData.LoadAsync(host.Services.GetRequiredService<CatalogAdminService>(), host.Services.GetRequiredService<CouponService>(), host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None);
    if (loaded)
    {
        await SampleHistory.LoadAsync(host.Services.GetRequiredService<IDocumentCollection<CustomerInterest>>(), host.Services.GetRequiredService<RecommendationBuilder>(), host.Services.GetRequiredService<TimeProvider>(), CancellationToken.None);
    }

    Console.WriteLine(loaded ? "Sample catalog and shopping history loaded." : "Catalog already has data; sample data not loaded again.");
}

if (host.DurableTaskHub is { } durableTaskHub)
{
    Console.WriteLine($"Orchestrations kept in {durableTaskHub}");
}

// The endpoint list goes to a file (it is long); the console gets the counts and where to find it.
var endpoints = host.Functions.Select(function => function.Trigger switch
{
    TriggerKind.Http => $"{function.Name,-32} {(function.HttpMethods is { } methods ? string.Join(',', methods) : "ANY"),-8} {new Uri(host.BaseAddress, $"{host.RoutePrefix}/{function.Route}")}",
    TriggerKind.Timer => $"{function.Name,-32} timer    {function.Schedule}",
    TriggerKind.Queue => $"{function.Name,-32} queue    {function.QueueName}",
    _ => $"{function.Name,-32} {function.Trigger.ToString().ToLowerInvariant()}",
}).ToList();
var listed = devDirectory is null ? null : Path.Combine(devDirectory, "endpoints.txt");
if (listed is not null)
{
    File.WriteAllLines(listed, endpoints);
}

var counts = string.Join(", ", host.Functions.GroupBy(f => f.Trigger).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
Console.WriteLine($"{host.Functions.Count} functions ({counts}){(listed is null ? ":" : $"; every endpoint in {listed}")}");
if (listed is null)
{
    endpoints.ForEach(line => Console.WriteLine("  " + line));
}

Console.WriteLine($"Run a timer or queue function now: curl -X POST {new Uri(host.BaseAddress, "admin/functions/<name>")} -H \"x-functions-key: $(cat {(devDirectory is null ? "<master key file>" : Path.Combine(devDirectory, DevelopmentSetup.MasterKeyFile))})\" -H 'content-type: application/json' -d '{{\"input\":\"\"}}'");
if (devDirectory is null)
{
    Console.WriteLine($"Master key (admin API, x-functions-key): {host.MasterKey}");
}

// The one line to look for: everything above is ready when it appears. The seconds count from
// eng/run-local.sh's start when it passes how long it took before starting this host.
var before = int.TryParse(Environment.GetEnvironmentVariable("MALL_STARTUP_SECONDS_BEFORE_HOST"), out var seconds) ? seconds : 0;
var credentials = adminPassword is null ? string.Empty : $"; admin password in {Path.Combine(devDirectory!, DevelopmentSetup.AdminPasswordFile)}";
Console.WriteLine();
Console.WriteLine($"Mall ready at {new Uri(host.BaseAddress, host.RoutePrefix + "/")} in {before + (int)started.Elapsed.TotalSeconds} s{credentials}. Ctrl-C stops it.");
await host.WaitForShutdownAsync();
return 0;
