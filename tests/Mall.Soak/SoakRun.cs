using System.Diagnostics;

namespace Mall.Soak;

/// <summary>What a run did and found.</summary>
public sealed record SoakResult(TimeSpan Workload, SoakStats Stats, bool Quiescent, IReadOnlyList<InvariantCheck> Checks, string StateDirectory)
{
    public int Violations => Checks.Sum(c => c.Violations.Count) + (Quiescent ? 0 : 1);
}

/// <summary>
/// One soak: start the mall, set up the catalog, run the workload while killing the host at random
/// moments (and restarting Azurite once, mid-run), then stop the chaos, run the timers until nothing
/// changes, and check the invariants against the mall's state.
/// </summary>
public static class SoakRun
{
    private static readonly string[] Timers = ["Orders_ProcessDeadlines", "Payments_Reconcile", "Campaigns_Advance", "Platform_RedriveDispatch"];

    public static async Task<SoakResult> RunAsync(SoakOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine($"Soak: {options.Duration.TotalMinutes:0.##} min, a host kill every ~{options.KillEvery.TotalSeconds:0} s, {options.Workers} workers, seed {options.Seed}");
        var stats = new SoakStats();
        await using var mall = await SoakMall.StartAsync(output, cancellationToken);
        var catalog = await SoakCatalog.CreateAsync(mall, stats, cancellationToken);
        output.WriteLine($"Catalog: {string.Join(", ", catalog.AllSkus.Select(s => $"{s.SkuId} ({s.InitialStock})"))}");

        var clock = Stopwatch.StartNew();
        using var stopWorkload = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var workload = new SoakWorkload(mall, catalog, stats, options);
        var workers = workload.RunAsync(stopWorkload.Token);
        using var stopProgress = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = PrintProgressAsync(output, stats, clock, options.ProgressEvery, stopProgress.Token);
        await ChaosAsync(mall, stats, options, output, clock, cancellationToken);
        await stopWorkload.CancelAsync();
        await workers;
        var workloadTime = clock.Elapsed;
        output.WriteLine($"Workload over after {workloadTime.TotalSeconds:0} s: {stats.OperationsDone} operations; {stats.HostKills} host kills, {stats.AzuriteRestarts} Azurite restart(s), {stats.UnplannedHostExits} unplanned host exits");
        output.WriteLine($"  operations: {SoakStats.Top(stats.Operations, 40)}");
        output.WriteLine($"  errors:     {SoakStats.Top(stats.Errors, 40)}");

        var (quiescent, state) = await QuiesceAsync(mall, workload, catalog, stats, options, output, cancellationToken);
        await stopProgress.CancelAsync();
        await progress;
        using var admin = await mall.OperatorAsync(stats, cancellationToken);
        var reconciliation = (await admin.GetAsync("manage/distribution/reconciliation", cancellationToken)).Body;
        var parked = (await admin.GetAsync("manage/events/parked?pageSize=100", cancellationToken)).Body;
        var checks = InvariantChecks.Run(state, catalog, mall.Sandbox, reconciliation, parked, !options.WaitForStrandedMessages);
        var result = new SoakResult(workloadTime, stats, quiescent, checks, mall.StateDirectory);
        Print(result, output);
        return result;
    }

    /// <summary>Kills the host every ~KillEvery (each gap drawn from [0.5, 1.5] × it) and restarts Azurite once, around the middle.</summary>
    private static async Task ChaosAsync(SoakMall mall, SoakStats stats, SoakOptions options, TextWriter output, Stopwatch clock, CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed);
        TimeSpan Gap() => options.KillEvery * (0.5 + random.NextDouble());
        var nextKill = Gap();
        var azuriteAt = options.Duration * (0.35 + (0.3 * random.NextDouble()));
        var azuriteRestarted = false;
        while (clock.Elapsed < options.Duration)
        {
            if (await mall.ReviveHostAsync(cancellationToken))
            {
                stats.HostExitedUnplanned();
                output.WriteLine($"[{clock.Elapsed:mm\\:ss}] the host had exited by itself; started again (see {mall.HostLog})");
            }

            if (!azuriteRestarted && clock.Elapsed >= azuriteAt)
            {
                output.WriteLine($"[{clock.Elapsed:mm\\:ss}] restarting Azurite (same --location)");
                await mall.Azurite.RestartAsync();
                stats.AzuriteRestarted();
                azuriteRestarted = true;
                nextKill = TimeSpan.FromTicks(Math.Max(nextKill.Ticks, (clock.Elapsed + TimeSpan.FromSeconds(5)).Ticks));
            }
            else if (clock.Elapsed >= nextKill)
            {
                var down = TimeSpan.FromMilliseconds(random.Next(0, 2000));
                output.WriteLine($"[{clock.Elapsed:mm\\:ss}] killing the host (SIGKILL), down for {down.TotalSeconds:0.0} s");
                await mall.KillAndRestartHostAsync(down, cancellationToken);
                stats.HostKilled();
                output.WriteLine($"[{clock.Elapsed:mm\\:ss}] host back");
                nextKill = clock.Elapsed + Gap();
            }

            await Task.Delay(250, cancellationToken);
        }
    }

    /// <summary>
    /// Runs the timers through the admin API, round after round, until two consecutive rounds change
    /// nothing, nothing is due, no outbox holds events and the dispatch queue is empty (bounded).
    /// </summary>
    private static async Task<(bool Quiescent, MallState State)> QuiesceAsync(SoakMall mall, SoakWorkload workload, SoakCatalog catalog, SoakStats stats, SoakOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        output.WriteLine("End phase: no more kills; running timers to quiescence");
        if (await mall.ReviveHostAsync(cancellationToken))
        {
            stats.HostExitedUnplanned();
        }

        using var admin = await mall.OperatorAsync(stats, cancellationToken);
        var deadline = Stopwatch.StartNew();
        string? previous = null;
        var unchangedRounds = 0;
        var started = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var round = 1; ; round++)
        {
            // An operator clears the refund queue, so requested refunds reach WeChat too.
            await workload.DecideRefundsAsync(admin, null, cancellationToken);
            foreach (var timer in Timers)
            {
                // One admin run of a timer at a time: overlapping runs would only fight over the same entries.
                if (mall.Host.AdminRunsFinished(timer) < started.GetValueOrDefault(timer))
                {
                    continue;
                }

                var answer = await admin.SendAsync(
                    () =>
                    {
                        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(mall.Host.BaseAddress, $"admin/functions/{timer}")) { Content = new StringContent("{\"input\":\"\"}", System.Text.Encoding.UTF8, "application/json") };
                        request.Headers.Add("x-functions-key", mall.MasterKey);
                        return request;
                    },
                    timer,
                    cancellationToken);
                if (answer.Status == System.Net.HttpStatusCode.Accepted)
                {
                    started[timer] = started.GetValueOrDefault(timer) + 1;
                }
                else
                {
                    output.WriteLine($"  {timer}: {(int)answer.Status} {answer.Body}");
                }
            }

            // The admin runs answer at once and work in the background: the next round's read sees what they did.
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
            var state = await ReadStateAsync(mall, catalog, cancellationToken);
            var fingerprint = state.Fingerprint;
            // What a killed host left comes back late: its messages after 10 minutes, its deliveries after their 15-minute lease.
            var undelivered = options.WaitForStrandedMessages
                ? state.DispatchThatMayDeliver + state.PendingOutboxes.Count + state.Orchestration.Queued
                : state.VisibleDispatch + state.Orchestration.Visible;
            // A flash sale still running closes at its end (at most a minute after the workload).
            var outstanding = state.DueNowThatMatters.Count() + undelivered + state.Dispatch.Poisoned + state.RunningFlashSales.Count();
            var running = Timers.Count(t => mall.Host.AdminRunsFinished(t) < started.GetValueOrDefault(t));
            unchangedRounds = fingerprint == previous && outstanding == 0 && running == 0 ? unchangedRounds + 1 : 0;
            output.WriteLine($"  round {round}: {(fingerprint == previous ? "no change" : "changed")}; due now {state.DueNowThatMatters.Count()} (+{state.DueNow.Count() - state.DueNowThatMatters.Count()} with nothing to do), later {state.DueWork.Count - state.DueNow.Count()}, outboxes {state.PendingOutboxes.Count}, dispatch queue {state.Dispatch.Queued} ({state.VisibleDispatch} visible) + {state.Dispatch.Poisoned} poisoned, orchestration queues {state.Orchestration.Queued} ({state.Orchestration.Visible} visible), flash sales running {state.RunningFlashSales.Count()}; timer runs going {running}");
            if (unchangedRounds >= 2)
            {
                output.WriteLine($"Quiescent after {round} rounds, {deadline.Elapsed.TotalSeconds:0} s");
                return (true, state);
            }

            if (deadline.Elapsed > options.QuiescenceTimeout)
            {
                output.WriteLine($"NOT quiescent after {deadline.Elapsed.TotalSeconds:0} s; checking the state as it is");
                return (false, state);
            }

            previous = fingerprint;
        }
    }

    private static Task<MallState> ReadStateAsync(SoakMall mall, SoakCatalog catalog, CancellationToken cancellationToken) =>
        MallState.ReadAsync(mall.Services, mall.Azurite.ConnectionString, mall.DispatchQueueName, mall.TaskHubName, catalog.AllSkus, cancellationToken);

    private static async Task PrintProgressAsync(TextWriter output, SoakStats stats, Stopwatch clock, TimeSpan every, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, stop);
                output.WriteLine(stats.ProgressLine(clock.Elapsed));
            }
        }
        catch (OperationCanceledException)
        {
            // Done.
        }
    }

    public static void Print(SoakResult result, TextWriter output)
    {
        output.WriteLine();
        output.WriteLine("==== Invariants");
        foreach (var check in result.Checks)
        {
            output.WriteLine($"{(check.Holds ? "PASS" : "FAIL")} {check.Name}: {check.Checked} checked, {check.Violations.Count} violation(s)");
            foreach (var figure in check.Figures)
            {
                output.WriteLine("     " + figure);
            }

            foreach (var violation in check.Violations)
            {
                output.WriteLine("   ! " + violation);
            }
        }

        output.WriteLine();
        output.WriteLine($"Soak {(result.Violations == 0 ? "PASSED" : "FAILED")}: {result.Workload.TotalMinutes:0.0} min of workload, {result.Stats.OperationsDone} operations, {result.Stats.HostKills} host kills, {result.Stats.AzuriteRestarts} Azurite restart(s), {result.Stats.UnplannedHostExits} unplanned host exits, {(result.Quiescent ? "quiescent" : "NOT quiescent")}, {result.Violations} violation(s). Logs: {result.StateDirectory}");
    }

}
