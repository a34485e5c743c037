namespace Mall.WeChat.MiniProgram;

/// <summary>An access token and how long WeChat says it lives. ToString hides the token.</summary>
public sealed record AccessToken(string Value, TimeSpan Lifetime)
{
    public override string ToString() => $"AccessToken {{ Lifetime = {Lifetime} }}";
}

/// <summary>
/// Keeps one access token per process and refreshes it before it expires. WeChat limits token
/// fetches per day, so concurrent callers share one fetch instead of each fetching their own.
/// </summary>
public sealed class AccessTokenCache : IDisposable
{
    private static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    private readonly TimeProvider timeProvider;
    private readonly SemaphoreSlim fetchGate = new(1, 1);
    private Entry? current;

    public AccessTokenCache(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        this.timeProvider = timeProvider;
    }

    public async Task<string> GetAsync(Func<CancellationToken, Task<AccessToken>> fetch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        if (Fresh(Volatile.Read(ref current)) is { } token)
        {
            return token;
        }

        await fetchGate.WaitAsync(cancellationToken);
        try
        {
            if (Fresh(current) is { } fetchedMeanwhile)
            {
                return fetchedMeanwhile;
            }

            var fetched = await fetch(cancellationToken);

            // Refresh a few minutes early so no call goes out with a token about to expire.
            var refreshAfter = fetched.Lifetime > 2 * RefreshMargin ? fetched.Lifetime - RefreshMargin : fetched.Lifetime / 2;
            Volatile.Write(ref current, new Entry(fetched.Value, timeProvider.GetUtcNow() + refreshAfter));
            return fetched.Value;
        }
        finally
        {
            fetchGate.Release();
        }
    }

    /// <summary>Forgets <paramref name="token"/> after WeChat rejected it (unless a newer one replaced it already).</summary>
    public void Invalidate(string token)
    {
        var entry = Volatile.Read(ref current);
        if (entry?.Token == token)
        {
            Interlocked.CompareExchange(ref current, null, entry);
        }
    }

    public void Dispose() => fetchGate.Dispose();

    private string? Fresh(Entry? entry) => entry is not null && timeProvider.GetUtcNow() < entry.RefreshAfter ? entry.Token : null;

    private sealed record Entry(string Token, DateTimeOffset RefreshAfter);
}
