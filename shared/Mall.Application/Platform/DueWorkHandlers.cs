namespace Mall.Application.Platform;

/// <summary>Adapts a service method to <see cref="IDueWorkHandler"/>, so services need not implement the interface once per kind.</summary>
public sealed class DelegatingDueWorkHandler(string kind, DueWorkSubject subject, Func<DueWork, CancellationToken, Task<DueWorkResult>> handle) : IDueWorkHandler
{
    public string Kind => kind;

    public DueWorkSubject Subject => subject;

    public Task<DueWorkResult> HandleAsync(DueWork work, CancellationToken cancellationToken) => handle(work, cancellationToken);
}
