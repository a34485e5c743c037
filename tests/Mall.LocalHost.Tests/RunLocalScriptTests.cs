using System.Diagnostics;
using Mall.Testing;

namespace Mall.LocalHost.Tests;

/// <summary>eng/run-local.sh, the way developers start the local host.</summary>
public sealed class RunLocalScriptTests : IDisposable
{
    private readonly string state = Directory.CreateTempSubdirectory("mall-state-").FullName;

    /// <summary>Two runs on one state directory would share Azurite's files and lose each other's writes: the second is refused before it starts anything.</summary>
    [Fact]
    public async Task A_second_run_on_one_state_directory_is_refused_before_it_starts_anything()
    {
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--nonblock", Path.Combine(state, "run-local.lock"), "-c", "echo held; exec sleep 600"]) { RedirectStandardOutput = true })!;
        try
        {
            Assert.Equal("held", await holder.StandardOutput.ReadLineAsync());
            using var run = Process.Start(new ProcessStartInfo("bash", [Path.Combine(RepositoryPaths.Root, "eng", "run-local.sh")])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                Environment = { ["MALL_STATE_DIR"] = state },
            })!;
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var errors = run.StandardError.ReadToEndAsync(patience.Token);
            var output = run.StandardOutput.ReadToEndAsync(patience.Token);
            try
            {
                await run.WaitForExitAsync(patience.Token);
            }
            finally
            {
                if (!run.HasExited)
                {
                    run.Kill(entireProcessTree: true);
                }
            }

            Assert.Equal(1, run.ExitCode);
            Assert.Contains($"{state} is in use by another eng/run-local.sh", await errors, StringComparison.Ordinal);
            Assert.Empty(await output);
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }
    }

    public void Dispose() => Directory.Delete(state, recursive: true);
}
