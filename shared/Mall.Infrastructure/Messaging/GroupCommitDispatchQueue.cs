using System.Text.Json;
using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// Group commit for announcements: while one message is being sent, the announcements of writers
/// that arrive meanwhile wait and go out together in the next message (up to
/// <see cref="DispatchRequest.MaxBytes"/>), so many concurrent writes cost a few queue operations
/// instead of one each. Every writer still waits until its own announcement is on the queue before it
/// writes, so nothing here is needed for correctness: a process that dies with announcements waiting
/// has not written their documents either. A lone writer sends at once, with no added wait.
/// </summary>
public sealed class GroupCommitDispatchQueue(IDispatchQueue queue) : IDispatchQueue
{
    private readonly Lock gate = new();
    private readonly Queue<(DispatchRequest Request, int Bytes, TaskCompletionSource Sent)> waiting = new();
    private bool sending;

    public Task SendAsync(DispatchRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(request, MallJson.Options).Length;
        if (delay > TimeSpan.Zero || bytes >= DispatchRequest.MaxBytes / 2)
        {
            return queue.SendAsync(request, delay, cancellationToken);
        }

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (gate)
        {
            waiting.Enqueue((request, bytes, sent));
            lead = !sending;
            sending = true;
        }

        if (lead)
        {
            _ = SendWaitingAsync();
        }

        return sent.Task.WaitAsync(cancellationToken);
    }

    public Task<int> RedrivePoisonedAsync(CancellationToken cancellationToken) => queue.RedrivePoisonedAsync(cancellationToken);

    private async Task SendWaitingAsync()
    {
        while (NextBatch() is { Count: > 0 } batch)
        {
            try
            {
                await queue.SendAsync(new DispatchRequest(batch.SelectMany(w => w.Request.Outboxes).ToList()), TimeSpan.Zero, CancellationToken.None);
                batch.ForEach(w => w.Sent.TrySetResult());
            }
            catch (Exception exception)
            {
                batch.ForEach(w => w.Sent.TrySetException(exception));
            }
        }
    }

    /// <summary>Whole requests, as many as fit in one message; empty (and no longer sending) when none wait.</summary>
    private List<(DispatchRequest Request, int Bytes, TaskCompletionSource Sent)> NextBatch()
    {
        lock (gate)
        {
            var batch = new List<(DispatchRequest Request, int Bytes, TaskCompletionSource Sent)>();
            var bytes = 0;
            while (waiting.TryPeek(out var next) && (batch.Count == 0 || bytes + next.Bytes <= DispatchRequest.MaxBytes))
            {
                batch.Add(waiting.Dequeue());
                bytes += next.Bytes;
            }

            sending = batch.Count > 0;
            return batch;
        }
    }
}
