using Mall.Soak;
using Xunit.Abstractions;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// The invariant soak of tests/Mall.Soak, short: a minute of mixed workload through the HTTP API while
/// the local host (a child process) is SIGKILLed at random moments and Azurite restarted once, then
/// the timers are run to quiescence and the mall's own state must hold every invariant.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_minute_of_orders_payments_refunds_group_buys_and_presales_through_host_kills_loses_no_unit_no_fen_and_no_event()
    {
        var buffer = new StringWriter();
        var log = TextWriter.Synchronized(buffer);
        var options = new SoakOptions
        {
            Duration = TimeSpan.FromSeconds(60),
            // Gaps of 6–18 s: at least two kills in the minute even when a restart takes long on a loaded machine.
            KillEvery = TimeSpan.FromSeconds(12),
            Seed = 20261201,
            Workers = 4,
            QuiescenceTimeout = TimeSpan.FromSeconds(120),
            // A killed host's messages and delivery leases come back after 10–15 minutes; what waits for them is left out of the event checks.
            WaitForStrandedMessages = false,
        };

        SoakResult result;
        try
        {
            result = await SoakRun.RunAsync(options, log, CancellationToken.None);
        }
        finally
        {
            output.WriteLine(buffer.ToString());
        }

        Assert.True(result.Stats.HostKills >= 2, $"Only {result.Stats.HostKills} host kill(s).");
        Assert.Equal(1, result.Stats.AzuriteRestarts);
        Assert.True(result.Quiescent, "The mall did not reach quiescence; see the output.");
        Assert.True(result.Violations == 0, $"{result.Violations} violation(s):{Environment.NewLine}{string.Join(Environment.NewLine, result.Checks.SelectMany(c => c.Violations))}");

        // Kept when the run fails: the host's and Azurite's logs are in it.
        Directory.Delete(result.StateDirectory, recursive: true);
    }
}
