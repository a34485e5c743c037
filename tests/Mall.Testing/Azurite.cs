using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Mall.Testing;

/// <summary>
/// A real Azurite (the storage emulator from npm, pinned by package-lock.json) started once per test
/// process, in memory, on free ports, and killed when the process exits. Tests isolate themselves
/// with a unique table prefix, so classes can share it and run in parallel.
/// Set MALL_TEST_STORAGE_CONNECTION to use an Azurite (or storage account) you started yourself.
/// </summary>
public sealed class Azurite : IAsyncDisposable
{
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private static readonly Lazy<Task<Azurite>> Shared = new(StartAsync);
    private readonly Process? process;

    private Azurite(string connectionString, Process? process)
    {
        ConnectionString = connectionString;
        this.process = process;
    }

    public string ConnectionString { get; }

    /// <summary>Azurite's own process (null for one started elsewhere): a benchmark reads its CPU time from /proc.</summary>
    public int? ProcessId => process?.Id;

    public static Task<Azurite> InstanceAsync() => Shared.Value;

    /// <summary>A fresh table prefix, so each test (class) sees only its own tables.</summary>
    public static string NewTablePrefix() => "t" + Guid.NewGuid().ToString("N")[..10];

    public async ValueTask DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
    }

    private static Task<Azurite> StartAsync()
    {
        var external = Environment.GetEnvironmentVariable("MALL_TEST_STORAGE_CONNECTION");
        return string.IsNullOrEmpty(external) ? StartOwnAsync() : Task.FromResult(new Azurite(external, null));
    }

    /// <summary>A new Azurite of the caller's own, killed when it is disposed or the process exits.</summary>
    public static async Task<Azurite> StartOwnAsync()
    {
        var executable = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed: run 'npm ci' in {RepositoryPaths.Root} (eng/test.sh does this for you).");
        }

        var (blob, queue, table) = (FreePort(), FreePort(), FreePort());
        var start = new ProcessStartInfo(executable)
        {
            ArgumentList =
            {
                "--silent", "--inMemoryPersistence", "--disableTelemetry", "--skipApiVersionCheck",
                "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start Azurite.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var azurite = new Azurite(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={AccountKey};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;",
            process);

        // Whatever ends the test process, Azurite goes with it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
                // Disposed: it was stopped already.
            }
        };

        await WaitForPortAsync(table, process);
        await WaitForPortAsync(queue, process);
        return azurite;
    }

    private static async Task WaitForPortAsync(int port, Process process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {process.ExitCode} during start.");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"Azurite did not listen on port {port} within 30 s.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
