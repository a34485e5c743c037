using System.Text.RegularExpressions;
using Azure.Storage.Queues;

namespace Mall.LocalHost.Engine;

/// <summary>
/// The task hub orchestrations are kept in, found the way the Durable Functions extension finds it:
/// the name from host.json's <c>extensions.durableTask.hubName</c>, which the app setting
/// <c>AzureFunctionsJobHost__extensions__durableTask__hubName</c> overrides (app settings override
/// host.json in Azure too); the storage account from <c>AzureWebJobsStorage</c>, the extension's
/// default connection.
/// </summary>
public sealed partial record DurableTaskHub(string Name, string StorageConnection)
{
    public const string StorageSetting = "AzureWebJobsStorage";
    public const string NameSetting = HostJson.Section + ":extensions:durableTask:hubName";

    /// <summary>The extension's name for a hub configured nowhere, outside Azure (in Azure it is the site name).</summary>
    public const string DefaultName = "TestHubName";

    /// <param name="host">host.json with the app settings over it (<see cref="HostJson.Load"/>).</param>
    /// <exception cref="InvalidOperationException">The storage setting is missing or the name is not a valid task hub name.</exception>
    public static DurableTaskHub FromConfiguration(IConfiguration host)
    {
        var name = host[NameSetting] is { Length: > 0 } configured ? configured : DefaultName;
        // The hub's queues, tables and containers are named after it; these are the extension's rules.
        if (!ValidName().IsMatch(name))
        {
            throw new InvalidOperationException($"Task hub name '{name}' is invalid: it must be 3-45 letters and digits, starting with a letter.");
        }

        var connection = host[StorageSetting];
        return string.IsNullOrEmpty(connection)
            ? throw new InvalidOperationException($"Durable functions keep their task hub in the storage account of the {StorageSetting} setting, which is not set (with Azurite: UseDevelopmentStorage=true).")
            : new DurableTaskHub(name, connection);
    }

    /// <summary>Hub and account for people to read; never the account key.</summary>
    public override string ToString()
    {
        var queues = new QueueServiceClient(StorageConnection);
        return $"task hub {Name} in storage account {queues.AccountName} ({queues.Uri.GetLeftPart(UriPartial.Authority)})";
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex ValidName();
}
