using System.Globalization;
using Azure.Storage.Queues;

namespace Mall.LocalHost.Engine;

/// <summary>
/// host.json's extensions.queues, with the queue extension's defaults and limits (azure-sdk-for-net
/// sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Common/src/Shared/Queues/QueuesOptions.cs).
/// </summary>
public sealed record QueueOptions
{
    /// <summary>Shared/Queues/QueuePollingIntervals.cs, Minimum: the shortest wait between polls of an empty queue.</summary>
    public static readonly TimeSpan MinimumPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Azure Queues hands out at most 32 messages per request.</summary>
    private const int MaxBatchSize = 32;

    /// <summary>How long a message is invisible while its function runs, renewed halfway (QueueListener: 10 minutes; not a host.json setting).</summary>
    public TimeSpan ProcessingVisibility { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Messages fetched (and run in parallel) per poll.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>A new batch is fetched once no more than this many messages are still running.</summary>
    public int NewBatchThreshold { get; init; }

    /// <summary>The longest wait between polls of an empty queue.</summary>
    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a failed message stays invisible before it is retried.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    /// <summary>Tries before a message moves to the poison queue.</summary>
    public int MaxDequeueCount { get; init; } = 5;

    public QueueMessageEncoding MessageEncoding { get; init; } = QueueMessageEncoding.Base64;

    /// <exception cref="InvalidDataException">A setting is not a number, duration or encoding, or is out of its range; all are named.</exception>
    public static QueueOptions FromHostJson(IConfiguration host)
    {
        var section = host.GetSection($"{HostJson.Section}:extensions:queues");
        var problems = new List<string>();

        int Number(string key, int fallback, int minimum, int maximum = int.MaxValue)
        {
            if (section[key] is not { } text)
            {
                return fallback;
            }

            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                problems.Add($"{key}: '{text}' is not a whole number.");
            }
            else if (value < minimum || value > maximum)
            {
                problems.Add(maximum == int.MaxValue ? $"{key}: {value} must be at least {minimum}." : $"{key}: {value} must be between {minimum} and {maximum}.");
            }

            return value;
        }

        TimeSpan Duration(string key, TimeSpan fallback, TimeSpan minimum)
        {
            if (section[key] is not { } text)
            {
                return fallback;
            }

            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
            {
                problems.Add($"{key}: '{text}' is not a duration (hh:mm:ss).");
            }
            else if (value < minimum)
            {
                problems.Add($"{key}: {text} must be at least {minimum}.");
            }

            return value;
        }

        QueueMessageEncoding Encoding(string key)
        {
            var text = section[key];
            if (text is null || string.Equals(text, "base64", StringComparison.OrdinalIgnoreCase))
            {
                return QueueMessageEncoding.Base64;
            }

            if (!string.Equals(text, "none", StringComparison.OrdinalIgnoreCase))
            {
                problems.Add($"{key}: '{text}' is not base64 or none.");
            }

            return QueueMessageEncoding.None;
        }

        var defaults = new QueueOptions();
        var batchSize = Number("batchSize", defaults.BatchSize, 1, MaxBatchSize);
        var options = new QueueOptions
        {
            BatchSize = batchSize,
            // QueuesOptions.NewBatchThreshold: half a batch per processor unless set (one processor on Consumption).
            NewBatchThreshold = Number("newBatchThreshold", batchSize / 2 * Environment.ProcessorCount, 0),
            MaxPollingInterval = Duration("maxPollingInterval", defaults.MaxPollingInterval, MinimumPollingInterval),
            VisibilityTimeout = Duration("visibilityTimeout", defaults.VisibilityTimeout, TimeSpan.Zero),
            MaxDequeueCount = Number("maxDequeueCount", defaults.MaxDequeueCount, 1),
            MessageEncoding = Encoding("messageEncoding"),
        };
        return problems.Count == 0
            ? options
            : throw new InvalidDataException("host.json extensions.queues is not valid:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)));
    }
}
