using System.Text;
using Azure.Data.Tables;

namespace Mall.Infrastructure.Storage;

/// <summary>
/// Long text split over numbered string properties ("Doc", "Doc1", …). A string property holds at
/// most 64 KiB (32K UTF-16 characters) and an entity at most 1 MiB, so one entity carries at most
/// <see cref="MaxChunksPerEntity"/> chunks in all.
/// </summary>
public static class EntityChunks
{
    public const int ChunkLength = 30_000;
    public const int MaxChunksPerEntity = 16;

    public static int CountFor(string text) => (text.Length + ChunkLength - 1) / ChunkLength;

    /// <summary>Writes the chunks; when <paramref name="clearUpTo"/> is larger, the unused names are set empty (for merges).</summary>
    public static void Write(TableEntity entity, string name, string text, int clearUpTo = 0)
    {
        var count = CountFor(text);
        for (var i = 0; i < Math.Max(count, clearUpTo); i++)
        {
            var start = i * ChunkLength;
            entity[NameOf(name, i)] = i < count ? text.Substring(start, Math.Min(ChunkLength, text.Length - start)) : string.Empty;
        }
    }

    public static string Read(TableEntity entity, string name, int maxChunks)
    {
        var text = new StringBuilder();
        for (var i = 0; i < maxChunks && entity.TryGetValue(NameOf(name, i), out var chunk) && chunk is string { Length: > 0 } part; i++)
        {
            text.Append(part);
        }

        return text.ToString();
    }

    public static IEnumerable<string> Names(string name, int maxChunks) => Enumerable.Range(0, maxChunks).Select(i => NameOf(name, i));

    private static string NameOf(string name, int index) => index == 0 ? name : name + index;
}
