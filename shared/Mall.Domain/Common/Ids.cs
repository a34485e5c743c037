using System.Security.Cryptography;
using System.Text;

namespace Mall.Domain.Common;

/// <summary>Opaque identifier helpers. Ids only use [A-Za-z0-9_-] so they are valid WeChat out_trade_no values.</summary>
public static class Ids
{
    public const int MaxLength = 64;

    /// <summary>The rule as callers are told it.</summary>
    public const string Rule = "1–64 letters, digits, '-' or '_'";

    /// <summary>
    /// The one rule for every id the API accepts, wherever it comes from (path, query, body, a WeChat
    /// notification). Every id the mall issues passes it, and none of the characters Table Storage forbids
    /// in keys (/ \ # ? and control characters) can, so an id that passes can always be looked up; one
    /// that fails cannot name anything stored.
    /// </summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: >= 1 and <= MaxLength } && id.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"; // Crockford base32: no I, L, O, U

    /// <summary>A random id: prefix + 20 base32 characters (100 bits).</summary>
    public static string New(string prefix) => prefix + Encode(RandomNumberGenerator.GetBytes(13), 20);

    /// <summary>
    /// A deterministic id derived from the given parts (SHA-256, 20 base32 characters). Used where
    /// retrying the same request must land on the same record, e.g. an order per Idempotency-Key.
    /// </summary>
    public static string Derive(string prefix, params string[] parts)
    {
        var joined = string.Join('\u001f', parts);
        return prefix + Encode(SHA256.HashData(Encoding.UTF8.GetBytes(joined)), 20);
    }

    /// <summary>
    /// Which of <paramref name="shards"/> (at most 256) an id's rows spread to: the first byte of SHA-256 of the id,
    /// so the same id always lands on the same shard, and a power-of-two count splits ids evenly.
    /// </summary>
    public static int Shard(string id, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(shards, 256);
        return SHA256.HashData(Encoding.UTF8.GetBytes(id))[0] % shards;
    }

    private static string Encode(ReadOnlySpan<byte> bytes, int length)
    {
        var chars = new char[length];
        var bitBuffer = 0;
        var bitCount = 0;
        var byteIndex = 0;
        for (var i = 0; i < length; i++)
        {
            if (bitCount < 5)
            {
                bitBuffer = (bitBuffer << 8) | bytes[byteIndex++];
                bitCount += 8;
            }

            bitCount -= 5;
            chars[i] = Alphabet[(bitBuffer >> bitCount) & 31];
        }

        return new string(chars);
    }
}
