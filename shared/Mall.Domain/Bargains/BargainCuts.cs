using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mall.Domain.Bargains;

/// <summary>
/// How much each help takes off a bargain's price (砍价, SPEC §4.11): random-looking but reproducible, a
/// function of the bargain's seed and the help's position only, so a retried or replayed help always
/// cuts the same amount and a test can predict every cut. Every help cuts at least one fen while the
/// floor is not reached and leaves at least a fen for each help still to come, and the last allowed help
/// cuts whatever is left: the floor is reached exactly at help <c>maxHelps</c> when the gap holds a fen per
/// help (fewer helps when it does not), never passed.
/// </summary>
public static class BargainCuts
{
    /// <summary>
    /// The cut of help number <paramref name="helpNumber"/> (1-based) when <paramref name="remainingFen"/>
    /// stands between the current price and the floor. Its expected share of what remains is 1 / (helps
    /// left), drawn uniformly from 0 to twice that, so the price falls roughly evenly and no help is
    /// worth waiting for more than another.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A help beyond <paramref name="maxHelps"/>, or a negative remainder.</exception>
    public static long Cut(string seed, int helpNumber, long remainingFen, int maxHelps)
    {
        ArgumentException.ThrowIfNullOrEmpty(seed);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHelps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(helpNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(helpNumber, maxHelps);
        ArgumentOutOfRangeException.ThrowIfNegative(remainingFen);
        if (remainingFen == 0)
        {
            return 0;
        }

        var helpsLeft = maxHelps - helpNumber + 1;
        if (helpsLeft == 1)
        {
            return remainingFen;
        }

        // Twice the even share, scaled by a uniform draw in [0, 1): 2 · remaining · u / helpsLeft; a fen is
        // kept back for each later help, so the last one is never left with nothing to cut.
        var draw = Uniform(seed, helpNumber);
        var cut = (long)Math.Floor(2.0 * remainingFen * draw / helpsLeft);
        return Math.Clamp(cut, 1, Math.Max(1, remainingFen - (helpsLeft - 1)));
    }

    /// <summary>The cuts of a bargain helped <paramref name="maxHelps"/> times in a row, from <paramref name="gapFen"/> (price − floor).</summary>
    public static IReadOnlyList<long> Schedule(string seed, long gapFen, int maxHelps)
    {
        var cuts = new List<long>();
        var remaining = gapFen;
        for (var help = 1; help <= maxHelps && remaining > 0; help++)
        {
            var cut = Cut(seed, help, remaining, maxHelps);
            cuts.Add(cut);
            remaining -= cut;
        }

        return cuts;
    }

    /// <summary>A uniform number in [0, 1) from the first 8 bytes of SHA-256("{seed}:{help}") (53 bits, as a double holds).</summary>
    private static double Uniform(string seed, int helpNumber)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{helpNumber}"));
        return (BinaryPrimitives.ReadUInt64BigEndian(hash) >> 11) * (1.0 / (1UL << 53));
    }
}
