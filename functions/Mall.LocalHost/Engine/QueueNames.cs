namespace Mall.LocalHost.Engine;

/// <summary>
/// Azure Queue naming rules, as the queue extension checks them (azure-sdk-for-net
/// sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Queues/src/QueueClientExtensions.cs, IsValidQueueName).
/// </summary>
public static class QueueNames
{
    private const string PoisonSuffix = "-poison";

    /// <returns>Why the name is not a valid queue name, or null when it is.</returns>
    public static string? Problem(string name)
    {
        if (name.Length is < 3 or > 63)
        {
            return $"A queue name must be from 3 to 63 characters long - \"{name}\"";
        }

        if (name.StartsWith('-') || name.EndsWith('-'))
        {
            return $"The dash (-) character may not be the first or last letter - \"{name}\"";
        }

        if (name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            return $"A queue name can contain only lower-case letters, numbers, and dash(-) characters - \"{name}\"";
        }

        return name.Contains("--", StringComparison.Ordinal) ? "A queue name cannot contain consecutive dash(-) characters." : null;
    }

    /// <summary>
    /// src/Listeners/QueueListenerFactory.cs, CreatePoisonQueueReference: &lt;queue&gt;-poison, unless the queue is a poison
    /// queue itself or the suffix would make the name too long (then failed messages stay invisible).
    /// </summary>
    public static string? PoisonQueueFor(string name) =>
        name.EndsWith(PoisonSuffix, StringComparison.Ordinal) || Problem(name + PoisonSuffix) is not null ? null : name + PoisonSuffix;
}
