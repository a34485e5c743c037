using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Sharing;

namespace Mall.Application.Sharing;

/// <summary>
/// Share links: an encrypted, expiring token naming the sharer, the target and the campaign, carried by the
/// mini-program page path and by a web link on the active share domain. The token is what credits a new
/// customer to their sharer at first login; nothing is ever earned for the share itself.
/// </summary>
public sealed class ShareLinks(IDocumentCollection<ShareDomainPool> pools, AuthOptions auth, SharingOptions options, TimeProvider time)
{
    private static readonly DocumentKey PoolKey = DocumentKey.Single("share-domains");

    // Encrypted, not only signed: the link is posted in group chats and must not show whom it credits.
    private readonly EncryptedPayloads linkTokens = EncryptedPayloads.ForPurpose(auth, "mall:share-links:v2");

    public async Task<ShareLinkView> CreateAsync(string sharerId, ShareLinkRequest request, CancellationToken cancellationToken)
    {
        var expiresAt = time.GetUtcNow().AddDays(options.LinkLifetimeDays);
        var token = linkTokens.Seal(new SharePayload(sharerId, request.TargetKind!.Value, request.TargetId, request.CampaignId, expiresAt.ToUnixTimeSeconds()));
        var domain = (await PoolAsync(cancellationToken)).Active?.Host;
        return new ShareLinkView(
            token,
            PagePath(request.TargetKind.Value, request.TargetId, token),
            domain is null ? null : $"https://{domain}{options.LandingPath}{token}",
            domain,
            DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }

    /// <summary>Where a link leads: a 400 naming the token when it is not the mall's, a 410 when it expired.</summary>
    public ShareTargetView Resolve(string? token)
    {
        var payload = Open(token) ?? throw DomainException.Validation("token", "Not a share link of this mall.");
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(payload.Exp);
        if (expiresAt <= time.GetUtcNow())
        {
            throw new DomainException(ErrorCode.ShareLinkExpired, "This share link has expired.");
        }

        return new ShareTargetView(payload.Kind, payload.Target, payload.Campaign, PagePath(payload.Kind, payload.Target, token!), expiresAt);
    }

    /// <summary>Who shared a genuine, unexpired link; null for anything else (a login is never refused over its link).</summary>
    public string? SharerOf(string? token) =>
        Open(token) is { } payload && DateTimeOffset.FromUnixTimeSeconds(payload.Exp) > time.GetUtcNow() ? payload.Sharer : null;

    public async Task<ShareDomainsView> DomainsAsync(CancellationToken cancellationToken) => View(await PoolAsync(cancellationToken));

    /// <summary>Sets the pool's hosts in order of preference; hosts kept keep their status.</summary>
    public async Task<ShareDomainsView> SetDomainsAsync(ShareDomainsRequest request, CancellationToken cancellationToken)
    {
        var pool = await pools.TransitionAsync(
            PoolKey,
            current =>
            {
                var next = (current?.Value ?? ShareDomainPool.Empty).WithHosts(request.Hosts!);
                return Decision.Write(next, next);
            },
            cancellationToken);
        return View(pool);
    }

    /// <summary>Marks a host blocked, unreachable or healthy again; new links move to the first healthy one at once.</summary>
    public async Task<ShareDomainsView> MarkAsync(ShareDomainMarkRequest request, string operatorId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var pool = await pools.TransitionAsync(
            PoolKey,
            current =>
            {
                var before = current?.Value ?? ShareDomainPool.Empty;
                var next = before.Mark(request.Host!, request.Status!.Value, request.Reason, operatorId, now)
                    ?? throw DomainException.Validation("host", "Not in the share-domain pool; add it with PUT manage/share-domains first.");
                return Decision.Write(next, next, new ShareDomainMarked(request.Host!, request.Status.Value, next.Active?.Host, now) { OccurredAt = now });
            },
            cancellationToken);
        return View(pool);
    }

    /// <summary>The mini-program page a target opens, with the token for attribution (base64url and '.' need no escaping).</summary>
    private static string PagePath(ShareTargetKind kind, string? targetId, string token) => kind switch
    {
        ShareTargetKind.Product => $"pages/product/index?id={targetId}&st={token}",
        ShareTargetKind.Bargain => $"pages/bargain/index?id={targetId}&st={token}",
        ShareTargetKind.CardCampaign => $"pages/cards/index?id={targetId}&st={token}",
        _ => $"pages/index/index?st={token}",
    };

    private static ShareDomainsView View(ShareDomainPool pool) => new(pool.Active?.Host, pool.Domains);

    private SharePayload? Open(string? token) =>
        string.IsNullOrEmpty(token) || token.Length > 1024 ? null : linkTokens.Open<SharePayload>(token) is { Sharer.Length: > 0 } payload ? payload : null;

    private async Task<ShareDomainPool> PoolAsync(CancellationToken cancellationToken) =>
        (await pools.FindAsync(PoolKey, cancellationToken))?.Value ?? ShareDomainPool.Empty;

    private sealed record SharePayload(string Sharer, ShareTargetKind Kind, string? Target, string? Campaign, long Exp);
}
