using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Functions;
using Mall.LocalHost.Development;
using Mall.LocalHost.Engine;

// The mall's development host: the functions of Mall.Functions' functions.metadata, served without Core Tools.
//   --urls <url>       where to listen (default http://127.0.0.1:7071, like `func start`)
//   --settings <file>  a local.settings.json-style file; repeatable, later files win; environment wins over files
//   --no-timers        do not run timer functions on schedule (POST /admin/functions/{name} still runs them)
//   --dev <dir>        development mode: generated admin password, master key and sample data, state kept in <dir>
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
    Console.WriteLine(loaded ? "Sample catalog loaded." : "Catalog already has data; sample data not loaded again.");
}

Console.WriteLine();
Console.WriteLine($"Mall local host listening on {host.BaseAddress}");
if (host.DurableTaskHub is { } durableTaskHub)
{
    Console.WriteLine($"Orchestrations kept in {durableTaskHub}");
}

foreach (var function in host.Functions)
{
    Console.WriteLine(function.Trigger switch
    {
        TriggerKind.Http => $"  {function.Name,-28} {string.Join(',', function.HttpMethods.DefaultIfEmpty("ANY")),-8} {new Uri(host.BaseAddress, $"{host.RoutePrefix}/{function.Route}")}",
        TriggerKind.Timer => $"  {function.Name,-28} timer    {function.Schedule}",
        TriggerKind.Queue => $"  {function.Name,-28} queue    {function.QueueName}",
        _ => $"  {function.Name,-28} {function.Trigger.ToString().ToLowerInvariant()}",
    });
}

Console.WriteLine();
Console.WriteLine($"Master key (admin API, x-functions-key): {host.MasterKey}{(devDirectory is null ? string.Empty : $" (kept in {Path.Combine(devDirectory, DevelopmentSetup.MasterKeyFile)})")}");
Console.WriteLine($"Run a timer or queue function now: curl -X POST {new Uri(host.BaseAddress, "admin/functions/<name>")} -H \"x-functions-key: <master key>\" -H \"Content-Type: application/json\" -d '{{\"input\":\"\"}}'");

if (adminPassword is not null)
{
    Console.WriteLine();
    Console.WriteLine($"Admin login: POST {new Uri(host.BaseAddress, $"{host.RoutePrefix}/manage/auth/login")} {{\"username\":\"{DevelopmentSetup.AdminUser}\",\"password\":\"{adminPassword}\"}}");
}

Console.WriteLine("Press Ctrl-C to stop.");
await host.WaitForShutdownAsync();
return 0;
