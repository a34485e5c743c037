using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Mall.Soak;

/// <summary>A child process whose output goes to a log file, one section per start.</summary>
public abstract class ChildProcess(string name, string logPath) : IAsyncDisposable
{
    public string LogPath => logPath;

    private readonly Lock logGate = new();
    private Process? process;
    private int starts;

    public bool IsRunning => process is { HasExited: false };

    protected Process? Current => process;

    protected abstract ProcessStartInfo StartInfo();

    protected void Start()
    {
        var info = StartInfo();
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        var started = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        Log($"==== {name} start #{++starts} (pid {started.Id}) at {DateTimeOffset.UtcNow:O}");
        started.OutputDataReceived += (_, line) =>
        {
            Log(line.Data);
            OnOutput(line.Data);
        };
        started.ErrorDataReceived += (_, line) => Log(line.Data);
        started.BeginOutputReadLine();
        started.BeginErrorReadLine();
        process?.Dispose();
        process = started;
    }

    /// <summary>SIGKILL to the process and its children, as a crash or an evicted instance would end.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false } running)
        {
            Log($"==== {name} killed (SIGKILL) at {DateTimeOffset.UtcNow:O}");
            running.Kill(entireProcessTree: true);
            await running.WaitForExitAsync();
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (process is not { HasExited: false } running)
        {
            return;
        }

        Log($"==== {name} stopped (SIGTERM) at {DateTimeOffset.UtcNow:O}");
        using (var kill = Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await running.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
        }
    }

    /// <summary>A line the process wrote to stdout (null at its end).</summary>
    protected virtual void OnOutput(string? line)
    {
    }

    public void Log(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logGate)
        {
            File.AppendAllText(logPath, line + Environment.NewLine);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        GC.SuppressFinalize(this);
    }

    protected static async Task WaitForPortAsync(int port, Func<bool> alive, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (alive() && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            catch (SocketException exception)
            {
                throw new InvalidOperationException(alive() ? $"{what} did not listen on {port} within {timeout.TotalSeconds:0} s." : $"{what} exited during start.", exception);
            }
        }
    }
}

/// <summary>Azurite persisting to a directory (--location), so a restart on the same ports finds every table, queue and blob.</summary>
public sealed class AzuriteProcess(string location, string logPath) : ChildProcess("azurite", logPath)
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly (int Blob, int Queue, int Table) ports = (Mall.Testing.Azurite.FreePort(), Mall.Testing.Azurite.FreePort(), Mall.Testing.Azurite.FreePort());

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{ports.Blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{ports.Queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{ports.Table}/devstoreaccount1;";

    public async Task StartAsync()
    {
        Start();
        await WaitForPortAsync(ports.Table, () => IsRunning, TimeSpan.FromSeconds(60), "Azurite");
        await WaitForPortAsync(ports.Queue, () => IsRunning, TimeSpan.FromSeconds(60), "Azurite");
        await WaitForPortAsync(ports.Blob, () => IsRunning, TimeSpan.FromSeconds(60), "Azurite");
    }

    /// <summary>
    /// Stops Azurite with SIGTERM (it writes its in-memory database to --location on the way out) and
    /// starts it again on the same ports and data. Not SIGKILL: Azurite persists on an interval, so a
    /// kill loses writes it has already acknowledged — a fault of the emulator Table Storage does not have.
    /// </summary>
    public async Task RestartAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        await StartAsync();
    }

    protected override ProcessStartInfo StartInfo() => new(Path.Combine(Mall.Testing.RepositoryPaths.Root, "node_modules", ".bin", "azurite"))
    {
        ArgumentList =
        {
            "--silent", "--disableTelemetry", "--skipApiVersionCheck", "--location", location,
            "--blobHost", "127.0.0.1", "--blobPort", ports.Blob.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--queueHost", "127.0.0.1", "--queuePort", ports.Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tableHost", "127.0.0.1", "--tablePort", ports.Table.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}

/// <summary>
/// The local Functions host as eng/run-local.sh starts it (dotnet Mall.LocalHost.dll with the sample
/// settings, the sandbox's settings and a dev directory), always on the same port and state.
/// </summary>
public sealed partial class MallHostProcess(int port, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    : ChildProcess("mall host", logPath)
{
    private readonly ConcurrentDictionary<string, int> adminRunsFinished = new(StringComparer.Ordinal);

    public Uri BaseAddress { get; } = new($"http://127.0.0.1:{port}/");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        Start();
        var started = Current!;
        await WaitForPortAsync(port, () => !started.HasExited, TimeSpan.FromSeconds(240), "The mall host");

        // Listening is not serving yet: wait for a function to answer (the functions are mapped before the host listens).
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(240);
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("api/categories", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // Not up yet.
            }

            if (started.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The mall host {(started.HasExited ? "exited during start" : "did not answer within 240 s")}; see {LogPath}.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    /// <summary>
    /// How many runs of a function started through the admin API have finished (the host logs each
    /// outcome: the API answers 202 before the run starts).
    /// </summary>
    public int AdminRunsFinished(string function) => adminRunsFinished.GetValueOrDefault(function);

    protected override void OnOutput(string? line)
    {
        if (line is not null && AdminRunOutcome().Match(line) is { Success: true } outcome)
        {
            adminRunsFinished.AddOrUpdate(outcome.Groups[1].Value, 1, (_, n) => n + 1);
        }
    }

    [GeneratedRegex(@"Admin run of (\S+): (Succeeded|Failed)")]
    private static partial Regex AdminRunOutcome();

    protected override ProcessStartInfo StartInfo()
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Mall.Testing.RepositoryPaths.Root };
        info.ArgumentList.Add(Path.Combine(Mall.Testing.RepositoryPaths.BuildOutput("functions/Mall.LocalHost"), "Mall.LocalHost.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
