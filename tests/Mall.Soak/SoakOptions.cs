using System.Globalization;

namespace Mall.Soak;

/// <summary>What one soak run does: how long, how often the host dies, how many customers at once.</summary>
public sealed record SoakOptions
{
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The mean time between host kills; each gap is drawn from [0.5, 1.5] × this.</summary>
    public TimeSpan KillEvery { get; init; } = TimeSpan.FromSeconds(60);

    public int Seed { get; init; } = Environment.TickCount;

    public int Workers { get; init; } = 6;

    /// <summary>
    /// How long the end phase may take to reach quiescence before the checks run anyway: longer than a
    /// killed host's work takes to come back — its dispatch messages stay invisible for 10 minutes, and
    /// the deliveries it was running are taken over when their lease (Events:Lease, 15 minutes) ends.
    /// </summary>
    public TimeSpan QuiescenceTimeout { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>
    /// Whether the end phase waits for the work a killed host left (dispatch messages back after their
    /// 10-minute processing visibility, deliveries taken over after their 15-minute lease) so every event
    /// is checked; a short run does not, and leaves the documents still waiting for it out of the event checks.
    /// </summary>
    public bool WaitForStrandedMessages { get; init; } = true;

    /// <summary>How often a progress line is printed.</summary>
    public TimeSpan ProgressEvery { get; init; } = TimeSpan.FromSeconds(10);

    public const string Usage = """
        Invariant soak of the mall (local host + Azurite + WeChat sandbox), killing the host at random moments:
          dotnet run -c Release --project tests/Mall.Soak -- [--minutes 10] [--kill-every-seconds 60] [--seed N] [--workers 6]
        Options:
          --minutes <m>               workload duration (default 10; fractions allowed)
          --kill-every-seconds <s>    mean gap between host kills, drawn from [0.5, 1.5] x s (default 60)
          --seed <n>                  random seed for the workload and the kill schedule (default: time based, printed)
          --workers <n>               concurrent virtual customers (default 6)
          --quiescence-minutes <m>    bound on the end phase (default 20: a killed host's deliveries are taken over after their 15-minute lease)
        """;

    /// <summary>Parses the command line; null (with the reason on stderr) when it is not understood.</summary>
    public static SoakOptions? Parse(string[] args, TextWriter errors)
    {
        var options = new SoakOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (i + 1 == args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value <= 0)
            {
                errors.WriteLine($"'{args[i]}' needs a positive number.{Environment.NewLine}{Usage}");
                return null;
            }

            options = args[i++] switch
            {
                "--minutes" => options with { Duration = TimeSpan.FromMinutes(value) },
                "--kill-every-seconds" => options with { KillEvery = TimeSpan.FromSeconds(value) },
                "--seed" => options with { Seed = (int)value },
                "--workers" => options with { Workers = (int)value },
                "--quiescence-minutes" => options with { QuiescenceTimeout = TimeSpan.FromMinutes(value) },
                _ => null!,
            };
            if (options is null)
            {
                errors.WriteLine($"Unknown option '{args[i - 1]}'.{Environment.NewLine}{Usage}");
                return null;
            }
        }

        return options;
    }
}
