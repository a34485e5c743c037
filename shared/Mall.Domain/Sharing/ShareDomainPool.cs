using System.Text.RegularExpressions;

namespace Mall.Domain.Sharing;

public enum ShareDomainStatus
{
    Healthy,

    /// <summary>WeChat blocks links to it (拦截): new links must not use it.</summary>
    Blocked,

    /// <summary>It does not answer (DNS, certificate, filing): new links must not use it.</summary>
    Unreachable,
}

/// <summary>One of the mall's own registered domains that share links may point at.</summary>
public sealed record ShareDomain(string Host, ShareDomainStatus Status, string? Reason, string? MarkedBy, DateTimeOffset? MarkedAt);

/// <summary>
/// The operator-managed pool of share domains, in order of preference. New links use the first healthy
/// one (<see cref="Active"/>), so when an operator marks it blocked or unreachable, links move to the next
/// at once; links already shared keep their domain. One small document: at most <see cref="MaxDomains"/>.
/// </summary>
public sealed partial record ShareDomainPool(IReadOnlyList<ShareDomain> Domains)
{
    public const int MaxDomains = 20;

    public static readonly ShareDomainPool Empty = new([]);

    public ShareDomain? Active => Domains.FirstOrDefault(d => d.Status == ShareDomainStatus.Healthy);

    /// <summary>A lower-case DNS host name ("s1.mall.example.cn"): letters, digits and hyphens in dot-separated labels.</summary>
    public static bool IsHostName(string host) => host.Length <= 253 && HostName().IsMatch(host);

    /// <summary>
    /// The pool with these hosts in this order: a host already in the pool keeps its status (re-listing a blocked
    /// domain does not heal it), a new one starts healthy.
    /// </summary>
    public ShareDomainPool WithHosts(IReadOnlyList<string> hosts) =>
        new(hosts.Select(h => Domains.FirstOrDefault(d => d.Host == h) ?? new ShareDomain(h, ShareDomainStatus.Healthy, null, null, null)).ToList());

    /// <summary>The pool with <paramref name="host"/> marked; null when the pool has no such host.</summary>
    public ShareDomainPool? Mark(string host, ShareDomainStatus status, string? reason, string operatorId, DateTimeOffset now)
    {
        var index = Domains.ToList().FindIndex(d => d.Host == host);
        if (index < 0)
        {
            return null;
        }

        var domains = Domains.ToList();
        domains[index] = new ShareDomain(host, status, reason, operatorId, now);
        return new ShareDomainPool(domains);
    }

    [GeneratedRegex(@"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")]
    private static partial Regex HostName();
}
