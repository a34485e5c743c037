using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Mall.Domain.Analytics;

/// <summary>A variant of an experiment and its weight: its share of units is its weight over the sum of all weights.</summary>
public sealed record VariantWeight(string Variant, int Weight);

/// <summary>
/// Puts a unit (a customer, a device) in a variant of an experiment with nothing stored: the variant is a function
/// of the experiment, the unit and the weights, so every instance, every call and every day give the same answer.
/// The experiment's id is hashed with the unit's, so a unit's variant in one experiment says nothing about its
/// variant in another.
/// </summary>
public static class ExperimentAssignment
{
    /// <summary>
    /// The unit's variant: its bucket scaled to [0, total weight) by multiply-high, ⌊bucket·total / 2⁶⁴⌋, then the
    /// variant whose cumulative weight range, in the given order, contains that. Multiply-high rather than
    /// bucket mod total because it keeps the buckets in order: a unit's variant depends only on where
    /// bucket / 2⁶⁴ falls among the cumulative shares, so weights 1:1 and 50:50 assign identically, and growing
    /// the first variant's share (10% to 20%) only moves units into it. Either mapping is uneven by at most one
    /// bucket in 2⁶⁴ / total, which no experiment can measure.
    /// </summary>
    /// <exception cref="ArgumentException">No variants, a negative weight, or weights that add up to 0.</exception>
    public static string Assign(string experimentId, string unitId, IReadOnlyList<VariantWeight> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        long totalWeight = 0;
        foreach (var variant in variants)
        {
            if (variant is null || variant.Weight < 0)
            {
                throw new ArgumentException("Every variant needs a weight of 0 or more.", nameof(variants));
            }

            totalWeight += variant.Weight;
        }

        if (totalWeight == 0)
        {
            throw new ArgumentException("At least one variant needs a positive weight.", nameof(variants));
        }

        var position = Math.BigMul(Bucket(experimentId, unitId), (ulong)totalWeight, out _);
        ulong cumulativeWeight = 0;
        foreach (var variant in variants)
        {
            cumulativeWeight += (ulong)variant.Weight;
            if (position < cumulativeWeight)
            {
                return variant.Variant;
            }
        }

        throw new UnreachableException("The position is below the total weight, which the last variant's range ends at.");
    }

    /// <summary>
    /// The first 8 bytes of SHA-256 of UTF-8 "{experimentId}:{unitId}", as an unsigned big-endian integer:
    /// uniform over 2⁶⁴, the same on every machine and runtime (unlike string.GetHashCode), and unrelated between
    /// experiments.
    /// </summary>
    public static ulong Bucket(string experimentId, string unitId)
    {
        ArgumentException.ThrowIfNullOrEmpty(experimentId);
        ArgumentException.ThrowIfNullOrEmpty(unitId);
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{experimentId}:{unitId}"), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}
