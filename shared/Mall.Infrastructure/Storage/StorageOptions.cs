namespace Mall.Infrastructure.Storage;

/// <summary>
/// Where the mall keeps its state. Locally a connection string (Azurite); in Azure the service URIs
/// with the managed identity (DefaultAzureCredential, AZURE_CLIENT_ID), never account keys.
/// </summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    public string? ConnectionString { get; set; }

    public Uri? TableServiceUri { get; set; }

    public Uri? QueueServiceUri { get; set; }

    /// <summary>Prepended to every table name: lets tests (and several mall instances) share one account.</summary>
    public string TablePrefix { get; set; } = string.Empty;
}
