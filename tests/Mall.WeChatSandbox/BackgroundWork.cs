namespace Mall.WeChat.Sandbox;

/// <summary>Fire-and-forget work (deliveries, refund completion) that is cancelled and awaited on shutdown.</summary>
internal sealed class BackgroundWork : IAsyncDisposable
{
    private readonly ILogger logger;
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<Task> running = [];

    public BackgroundWork(ILogger logger)
    {
        this.logger = logger;
    }

    public void Run(Func<CancellationToken, Task> work)
    {
        lock (gate)
        {
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            var task = Task.Run(() => RunLoggedAsync(work, stopping.Token));
            running.Add(task);
            task.ContinueWith(
                finished =>
                {
                    lock (gate)
                    {
                        running.Remove(finished);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task[] pending;
        lock (gate)
        {
            stopping.Cancel();
            pending = [.. running];
        }

        await Task.WhenAll(pending);
        stopping.Dispose();
    }

    private async Task RunLoggedAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: work still waiting for its next attempt is dropped.
        }
        catch (Exception exception)
        {
            // Nobody awaits this work; a sandbox bug must at least show up in the log.
            logger.LogError(exception, "Sandbox background work failed");
        }
    }
}
