using Mall.Application.Platform;

namespace Mall.Infrastructure.Messaging;

/// <summary>
/// Group commit for announcements: while one message is being sent, the announcements of writers
/// that arrive meanwhile wait and go out together in the next message (up to
/// <see cref="MaxAnnouncementsPerMessage"/>), so many concurrent writes cost a few queue operations
/// instead of one each. Every writer still waits until its own announcement is on the queue before it
/// writes, so nothing here is needed for correctness: a process that dies with announcements waiting
/// has not written their documents either. A lone writer sends at once, with no added wait.
/// </summary>
public sealed class GroupCommitDispatchQueue(IDispatchQueue queue) : IDispatchQueue
{
    /// <summary>Well inside a queue message's 64 KiB once base64 encoded.</summary>
    public const int MaxAnnouncementsPerMessage = 100;

    private readonly Lock gate = new();
    private readonly Queue<(DispatchRequest Request, TaskCompletionSource Sent)> waiting = new();
    private bool sending;

    public Task SendAsync(DispatchRequest request, TimeSpan delay, CancellationToken cancellationToken)
    {
        if (delay > TimeSpan.Zero || request.Outboxes.Count >= MaxAnnouncementsPerMessage)
        {
            return queue.SendAsync(request, delay, cancellationToken);
        }

        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        bool lead;
        lock (gate)
        {
            waiting.Enqueue((request, sent));
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
    private List<(DispatchRequest Request, TaskCompletionSource Sent)> NextBatch()
    {
        lock (gate)
        {
            var batch = new List<(DispatchRequest Request, TaskCompletionSource Sent)>();
            var announcements = 0;
            while (waiting.TryPeek(out var next) && (batch.Count == 0 || announcements + next.Request.Outboxes.Count <= MaxAnnouncementsPerMessage))
            {
                batch.Add(waiting.Dequeue());
                announcements += next.Request.Outboxes.Count;
            }

            sending = batch.Count > 0;
            return batch;
        }
    }
}
