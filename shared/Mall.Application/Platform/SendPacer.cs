namespace Mall.Application.Platform;

/// <summary>
/// Spaces calls evenly at a fixed rate across concurrent callers: each caller takes the next free
/// slot and waits for it (on the <see cref="TimeProvider"/>, so tests need not sleep).
/// </summary>
public sealed class SendPacer(TimeProvider time, double perSecond)
{
    private readonly TimeSpan interval = TimeSpan.FromSeconds(1 / perSecond);
    private readonly Lock gate = new();
    private DateTimeOffset nextSlot = DateTimeOffset.MinValue;

    public Task WaitTurnAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (gate)
        {
            var now = time.GetUtcNow();
            var slot = nextSlot > now ? nextSlot : now;
            nextSlot = slot + interval;
            wait = slot - now;
        }

        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, time, cancellationToken);
    }
}
