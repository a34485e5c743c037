using Mall.Application.Platform;
using Microsoft.DurableTask.Client;

namespace Mall.Functions.Platform;

/// <summary>The durable task hub answers, through the host: a query for one orchestration instance (none is fine).</summary>
public sealed class DurableHubReadiness(DurableTaskClient client) : IReadinessCheck
{
    public string Name => "durableTaskHub";

    public bool Required => true;

    public async Task<DependencyCheck> CheckAsync(CancellationToken cancellationToken)
    {
        await using var pages = client.GetAllInstancesAsync(new OrchestrationQuery { PageSize = 1 }).AsPages().GetAsyncEnumerator(cancellationToken);
        await pages.MoveNextAsync();
        return new DependencyCheck(DependencyStatus.Up, "The task hub answered a query for its instances.");
    }
}
