namespace Mall.LocalHost.Engine;

/// <summary>A function ran past host.json's functionTimeout (the WebJobs SDK's FunctionTimeoutException).</summary>
public sealed class FunctionTimeoutException(string message) : Exception(message);

/// <summary>
/// host.json's functionTimeout as the host reads it for the Flex Consumption plan the mall runs on
/// (azure-functions-host src/WebJobs.Script/Config/ScriptJobHostOptionsSetup.cs, ConfigureFunctionTimeout and
/// ValidateTimeoutValue): 30 minutes when not set; -1 (a TimeSpan of minus one day) for none; otherwise at least 1 s.
/// </summary>
public sealed record FunctionTimeout(TimeSpan? Limit)
{
    public static readonly TimeSpan Default = TimeSpan.FromMinutes(30);

    private static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);

    /// <exception cref="InvalidDataException">Not a TimeSpan, or under the minimum; the message is the host's.</exception>
    public static FunctionTimeout FromHostJson(IConfiguration host)
    {
        var key = $"{HostJson.Section}:functionTimeout";
        if (host[key] is not { Length: > 0 } text)
        {
            return new FunctionTimeout(Default);
        }

        if (!TimeSpan.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            throw new InvalidDataException($"Failed to convert configuration value '{text}' at '{key}' to type '{typeof(TimeSpan)}'.");
        }

        if (value == TimeSpan.FromDays(-1))
        {
            return new FunctionTimeout(Limit: null);
        }

        return value >= Minimum
            ? new FunctionTimeout(value)
            : throw new InvalidDataException($"FunctionTimeout must be greater than {Minimum} and less than {TimeSpan.MaxValue}.");
    }
}

/// <summary>
/// A wait of any length: Task.Delay refuses more than about 49.7 days, so longer waits go in steps of at most
/// 24 days, as the timer extension's TimerListener does (MaxTimerInterval, its remaining interval).
/// </summary>
public static class LongDelay
{
    public static readonly TimeSpan MaxStep = TimeSpan.FromDays(24);

    public static async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = delay < DateTimeOffset.MaxValue - now ? now + delay : DateTimeOffset.MaxValue;
        for (var remaining = delay; remaining > TimeSpan.Zero; remaining = until - time.GetUtcNow())
        {
            await Task.Delay(remaining < MaxStep ? remaining : MaxStep, time, cancellationToken);
        }
    }
}
