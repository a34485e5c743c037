using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mall.Domain.CardCollecting;

/// <summary>
/// Which card a task gives (集卡, SPEC §4.11): random-looking but reproducible — a function of the seed
/// (campaign, customer and the task's operation) and of what the customer holds — so a retried task draws
/// the same card and a test can predict every draw.
/// <para>
/// The odds, published with the campaign: a draw gives card <c>i</c> with probability
/// <c>weight(i) / Σ weight</c>, duplicates included. The guarantee: after <c>K</c> draws in a row that gave
/// no missing card (<c>K</c> = the campaign's missesBeforeGuarantee), the next draw is among the missing
/// cards only, card <c>i</c> with probability <c>weight(i) / Σ weight of the missing</c>. A set of
/// <c>n</c> kinds is therefore complete after at most <c>1 + (n − 1)(K + 1)</c> draws
/// (<see cref="MaxDrawsForFullSet"/>): the first draw is always new, and each further missing card takes at
/// most <c>K</c> misses and one guaranteed draw. A set that could never complete would be false advertising.
/// </para>
/// </summary>
public static class CardDraws
{
    /// <summary>
    /// The card (index into <paramref name="weights"/>) drawn for <paramref name="seed"/> by a customer holding
    /// <paramref name="held"/> after <paramref name="missesSinceNew"/> draws in a row without a missing card.
    /// </summary>
    public static int Draw(string seed, IReadOnlyList<int> weights, IReadOnlySet<int> held, int missesSinceNew, int missesBeforeGuarantee)
    {
        ArgumentException.ThrowIfNullOrEmpty(seed);
        ArgumentOutOfRangeException.ThrowIfLessThan(weights.Count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(missesBeforeGuarantee);
        if (weights.Any(w => w < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(weights), "Every card needs a weight of at least 1.");
        }

        var missing = Enumerable.Range(0, weights.Count).Where(card => !held.Contains(card)).ToList();
        var pool = missing.Count > 0 && missesSinceNew >= missesBeforeGuarantee ? missing : Enumerable.Range(0, weights.Count).ToList();
        var point = (long)(Uniform64(seed) % (ulong)pool.Sum(card => (long)weights[card]));
        foreach (var card in pool)
        {
            point -= weights[card];
            if (point < 0)
            {
                return card;
            }
        }

        throw new InvalidOperationException("A draw fell outside the total weight.");
    }

    /// <summary>The most draws a set of <paramref name="kinds"/> needs to complete: <c>1 + (kinds − 1)(K + 1)</c>.</summary>
    public static int MaxDrawsForFullSet(int kinds, int missesBeforeGuarantee) => 1 + ((kinds - 1) * (missesBeforeGuarantee + 1));

    /// <summary>Each card's chance in an ordinary draw, in basis points (rounded; they may not add up to exactly 10,000).</summary>
    public static IReadOnlyList<int> OddsBps(IReadOnlyList<int> weights)
    {
        var total = weights.Sum(w => (long)w);
        return weights.Select(w => (int)Math.Round(w * 10_000.0 / total, MidpointRounding.AwayFromZero)).ToList();
    }

    /// <summary>The seed of one task's draw: the campaign, the customer and the operation that earned the card.</summary>
    public static string Seed(string campaignId, string customerId, string operation) => $"{campaignId}|{customerId}|{operation}";

    /// <summary>The first 8 bytes of SHA-256(seed) as an unsigned number (its remainder by a total weight ≤ 10⁵ is uniform to within 10⁻¹³).</summary>
    private static ulong Uniform64(string seed) => BinaryPrimitives.ReadUInt64BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));
}
