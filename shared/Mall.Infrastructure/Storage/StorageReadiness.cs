using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Infrastructure.Scheduling;

namespace Mall.Infrastructure.Storage;

/// <summary>Table storage answers: a point read in the due-work table (every deployment has it), found or not.</summary>
public sealed class StorageReadiness(TableProvider tables) : IReadinessCheck
{
    public string Name => "storage";

    public bool Required => true;

    public async Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
    {
        var table = await tables.GetAsync(TableDueWorkScheduler.TableName, cancellationToken);
        await table.GetEntityIfExistsAsync<TableEntity>("readiness", "probe", select: ["PartitionKey"], cancellationToken: cancellationToken);
        return new DependencyCheck(DependencyStatus.Up, "Table storage answered a read.");
    }
}
