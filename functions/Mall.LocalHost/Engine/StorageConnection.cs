using Azure.Storage.Queues;

namespace Mall.LocalHost.Engine;

/// <summary>
/// Finds a binding's storage connection as the storage extensions do (azure-sdk-for-net
/// sdk/storage/Microsoft.Azure.WebJobs.Extensions.Storage.Common/src/Shared/StorageClientProvider.cs,
/// GetWebJobsConnectionStringSection): the connection the binding names, "Storage" when it names none,
/// looked up as AzureWebJobs{name} and then {name}, each in ConnectionStrings first.
/// </summary>
public static class StorageConnection
{
    private const string DefaultName = "Storage";
    private const string Prefix = "AzureWebJobs";

    /// <returns>The configuration key holding the connection string.</returns>
    /// <exception cref="UnsupportedFunctionException">No such setting, or an identity-based one.</exception>
    public static string FindSetting(IConfiguration configuration, string? connection)
    {
        var name = string.IsNullOrWhiteSpace(connection) ? DefaultName : connection;
        foreach (var key in new[] { Prefix + name, name }.SelectMany(candidate => new[] { "ConnectionStrings:" + candidate, candidate }))
        {
            var section = configuration.GetSection(key);
            if (!string.IsNullOrEmpty(section.Value))
            {
                return IsConnectionString(section.Value)
                    ? key
                    : throw new UnsupportedFunctionException($"connection '{name}': {key} is not a storage connection string (for Azurite: UseDevelopmentStorage=true).");
            }

            if (section.Exists())
            {
                // AzureWebJobsStorage__queueServiceUri and the like: Azure authenticates with the app's identity.
                throw new UnsupportedFunctionException(
                    $"connection '{name}' is identity-based ({key}:{string.Join(", ", section.GetChildren().Select(c => c.Key))}); " +
                    $"the local host needs a connection string in {key} (for Azurite: UseDevelopmentStorage=true).");
            }
        }

        // The storage extension's own message (StorageClientProvider.cs, GetWebJobsConnectionStringSection).
        throw new UnsupportedFunctionException($"Storage account connection string '{Prefix}{name}' does not exist. Make sure that it is a defined App Setting.");
    }

    private static bool IsConnectionString(string value)
    {
        try
        {
            _ = new QueueServiceClient(value);
            return true;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
