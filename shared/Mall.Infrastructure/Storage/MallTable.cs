namespace Mall.Infrastructure.Storage;

/// <summary>
/// A table the mall keeps data in, by logical name (before <see cref="StorageOptions.TablePrefix"/>).
/// Every table is registered as one, so the deployment can be checked to create them all.
/// </summary>
public sealed record MallTable(string Name);
