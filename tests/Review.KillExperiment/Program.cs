using Mall.LocalHost.Engine;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

// Review experiment: kill -9 during an activity, then restart on the same task hub.
var (hubName, mode, connection) = (args[0], args[1], args[2]);
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDurableTaskEngine(new DurableTaskHub(hubName, connection), 7790 + (mode == "start" ? 0 : 1), registry => registry
    .AddOrchestratorFunc<string, string>("SlowOrch", async (context, input) => await context.CallActivityAsync<string>("Slow", input))
    .AddActivityFunc<string, string>("Slow", async (context, input) =>
    {
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} activity started (pid {Environment.ProcessId})");
        await Task.Delay(TimeSpan.FromSeconds(20));
        Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} activity finished");
        return "done " + input;
    }));
using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<DurableTaskClient>();
if (mode == "start")
{
    await client.ScheduleNewOrchestrationInstanceAsync("SlowOrch", "x", new StartOrchestrationOptions("kill-me"));
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} scheduled");
}
else
{
    Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} restarted");
}

var done = await client.WaitForInstanceCompletionAsync("kill-me", getInputsAndOutputs: true, new CancellationTokenSource(TimeSpan.FromMinutes(9)).Token);
Console.WriteLine($"{DateTime.UtcNow:HH:mm:ss} orchestration {done.RuntimeStatus}: {done.SerializedOutput}");
await host.StopAsync();
