using System.Globalization;
using NCrontab;

namespace Mall.LocalHost.Engine;

/// <summary>
/// A timer's schedule as the timer extension reads it (azure-webjobs-sdk-extensions src/WebJobs.Extensions/Extensions/
/// Timers/Scheduling/TimerSchedule.cs, Create): a CRON expression NCrontab parses — six fields with seconds, five
/// without (CronSchedule.TryCreate) — or else a TimeSpan, run every interval (ConstantSchedule). Times are UTC, the
/// host's time zone unless WEBSITE_TIME_ZONE says otherwise.
/// </summary>
public abstract class TimerSchedule
{
    /// <exception cref="FormatException">Neither; the message is the extension's.</exception>
    public static TimerSchedule Parse(string expression)
    {
        var fields = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        if (CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = fields != 5 }) is { } cron)
        {
            return new Cron(cron);
        }

        return TimeSpan.TryParse(expression, CultureInfo.InvariantCulture, out var interval)
            ? new Constant(interval)
            : throw new FormatException($"The schedule expression '{expression}' was not recognized as a valid cron expression or timespan string.");
    }

    /// <summary>The first occurrence after <paramref name="after"/> (UTC).</summary>
    public abstract DateTime NextAfter(DateTime after);

    /// <summary>
    /// Occurs more than once a minute: the extension keeps no schedule status for such timers (useMonitor is
    /// turned off; TimerSchedule.ShouldDisableScheduleMonitor, and for TimeSpans under a minute).
    /// </summary>
    public abstract bool IsSubMinute { get; }

    private sealed class Cron(CrontabSchedule schedule) : TimerSchedule
    {
        public override DateTime NextAfter(DateTime after) => DateTime.SpecifyKind(schedule.GetNextOccurrence(after), DateTimeKind.Utc);

        /// <summary>Only "x * * * * *" can run more often than once a minute; it does when two occurrences fall within one.</summary>
        public override bool IsSubMinute
        {
            get
            {
                if (schedule.ToString().Split(' ').Skip(1).Any(part => part != "*"))
                {
                    return false;
                }

                var now = DateTime.UtcNow;
                return schedule.GetNextOccurrences(now, now.AddMinutes(1)).Skip(1).Any();
            }
        }

        public override string ToString() => $"Cron: '{schedule}'";
    }

    private sealed class Constant(TimeSpan interval) : TimerSchedule
    {
        public override DateTime NextAfter(DateTime after) => after + interval;

        public override bool IsSubMinute => interval < TimeSpan.FromMinutes(1);

        public override string ToString() => $"Constant: {interval}";
    }
}
