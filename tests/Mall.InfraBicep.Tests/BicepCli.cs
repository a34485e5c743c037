using System.Diagnostics;
using System.Reflection;

namespace Mall.InfraBicep.Tests;

public sealed record BicepResult(string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Bicep writes every diagnostic (info, warning, error) to standard error.</summary>
    public bool IsClean => ExitCode == 0 && string.IsNullOrWhiteSpace(StandardError);

    public override string ToString() => $"bicep {Command} exited {ExitCode}{Environment.NewLine}{StandardError}";
}

/// <summary>The native Bicep CLI restored from NuGet (Azure.Bicep.CommandLine.linux-x64); runs offline.</summary>
public sealed class BicepCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string executable;

    private BicepCli(string executable)
    {
        this.executable = executable;
    }

    public static BicepCli Locate()
    {
        var path = Environment.GetEnvironmentVariable("BICEP_PATH");
        if (string.IsNullOrEmpty(path))
        {
            path = typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(attribute => attribute.Key == "BicepPath")?.Value;
        }

        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Bicep CLI not found at '{path}'. Restore the test project (linux-x64 package) or set BICEP_PATH to a bicep binary.");
        }

        return new BicepCli(EnsureExecutable(path));
    }

    public async Task<BicepResult> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {executable}.");
        using var timeout = new CancellationTokenSource(Timeout);
        // Both streams are drained concurrently so a full pipe cannot stall the process.
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return new BicepResult(string.Join(' ', arguments), process.ExitCode, await output, await error);
    }

    // NuGet extraction can drop the execute bit (and the cache may belong to another user), so make
    // the binary executable in place or, failing that, run a private executable copy.
    private static string EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return path;
        }

        var mode = File.GetUnixFileMode(path);
        if (mode.HasFlag(UnixFileMode.UserExecute))
        {
            return path;
        }

        try
        {
            File.SetUnixFileMode(path, mode | UnixFileMode.UserExecute);
            return path;
        }
        catch (UnauthorizedAccessException)
        {
            var copy = Path.Combine(Path.GetTempPath(), $"mall-bicep-{Environment.UserName}", new FileInfo(path).Length.ToString(), "bicep");
            if (!File.Exists(copy))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(copy)!);
                File.Copy(path, copy, overwrite: true);
                File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            return copy;
        }
    }
}
