namespace Mall.Application.Platform;

/// <summary>Adapts a service method to <see cref="IDueWorkHandler"/>, so services need not implement the interface once per kind.</summary>
public sealed class DelegatingDueWorkHandler(string kind, Func<DueWork, CancellationToken, Task<DueWorkResult>> handle) : IDueWorkHandler
{
    public string Kind => kind;

    public Task<DueWorkResult> HandleAsync(DueWork work, CancellationToken cancellationToken) => handle(work, cancellationToken);
}
