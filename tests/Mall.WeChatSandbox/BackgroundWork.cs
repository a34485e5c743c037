namespace Mall.WeChat.Sandbox;

/// <summary>Fire-and-forget work (deliveries, refund completion) that is cancelled and awaited on shutdown.</summary>
internal sealed class BackgroundWork : IAsyncDisposable
{
    private readonly CancellationTokenSource stopping = new();
    private readonly Lock gate = new();
    private readonly HashSet<Task> running = [];

    public void Run(Func<CancellationToken, Task> work)
    {
        lock (gate)
        {
            if (stopping.IsCancellationRequested)
            {
                return;
            }

            var task = Task.Run(() => work(stopping.Token));
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

        try
        {
            await Task.WhenAll(pending);
        }
        catch (OperationCanceledException)
        {
            // Expected: work still waiting for its next attempt was cancelled.
        }

        stopping.Dispose();
    }
}
