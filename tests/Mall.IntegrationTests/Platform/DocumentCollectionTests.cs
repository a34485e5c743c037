using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.IntegrationTests.Platform;

public sealed class DocumentCollectionTests
{
    public sealed record Note(string Text, int Version);

    [Fact]
    public async Task Insert_is_conditional_and_replace_needs_the_current_etag()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes");
        var key = new DocumentKey("a", "1");

        var stored = await notes.InsertAsync(key, new Note("one", 1), [], CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => notes.InsertAsync(key, new Note("again", 1), [], CancellationToken.None));
        var replaced = await notes.ReplaceAsync(stored, new Note("two", 2), [], CancellationToken.None);
        await Assert.ThrowsAsync<ConcurrencyConflictException>(() => notes.ReplaceAsync(stored, new Note("stale", 3), [], CancellationToken.None));

        Assert.Equal(new Note("two", 2), (await notes.FindAsync(key, CancellationToken.None))!.Value);
        Assert.NotEqual(stored.ETag, replaced.ETag);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007Fb")]
    public async Task Keys_table_storage_forbids_are_refused_by_the_adapter_for_every_operation(string bad)
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes");
        var stored = await notes.InsertAsync(new DocumentKey("ok", "1"), new Note("one", 1), [], CancellationToken.None);

        await Assert.ThrowsAsync<ArgumentException>(() => notes.FindAsync(new DocumentKey(bad, ""), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.FindAsync(new DocumentKey("ok", bad), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.InsertAsync(new DocumentKey(bad, ""), new Note("x", 1), [], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.ReplaceAsync(stored with { Key = new DocumentKey(bad, "1") }, new Note("x", 2), [], CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.UpsertAsync(new DocumentKey(bad, ""), new Note("x", 1), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.DeleteAsync(new DocumentKey(bad, ""), null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => notes.QueryAsync(new DocumentQuery { PartitionKey = bad }, null, 10, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => harness.Scheduler.ScheduleAsync(new DueWork("Kind", bad, DateTimeOffset.UtcNow), CancellationToken.None));
        Assert.Equal(new Note("one", 1), (await notes.FindAsync(new DocumentKey("ok", "1"), CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task Documents_larger_than_one_table_property_round_trip()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes");
        var big = new Note(new string('长', 100_000), 1);

        await notes.InsertAsync(new DocumentKey("big", ""), big, [], CancellationToken.None);

        Assert.Equal(big, (await notes.FindAsync(new DocumentKey("big", ""), CancellationToken.None))!.Value);
    }

    [Fact]
    public async Task A_document_beyond_the_entity_limit_is_refused_before_anything_is_written()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes");

        await Assert.ThrowsAsync<InvalidOperationException>(() => notes.InsertAsync(new DocumentKey("huge", ""), new Note(new string('x', 500_000), 1), [], CancellationToken.None));

        Assert.Null(await notes.FindAsync(new DocumentKey("huge", ""), CancellationToken.None));
    }

    [Fact]
    public async Task Queries_page_with_opaque_continuation_tokens_and_filter_on_indexed_columns()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes", n => new Dictionary<string, object?> { ["Even"] = (n.Version % 2 == 0).ToString() });
        for (var i = 0; i < 25; i++)
        {
            await notes.InsertAsync(new DocumentKey("p", $"{i:D2}"), new Note("n", i), [], CancellationToken.None);
        }

        var seen = new List<int>();
        string? token = null;
        do
        {
            var page = await notes.QueryAsync(new DocumentQuery { PartitionKey = "p" }, token, 10, CancellationToken.None);
            Assert.True(page.Items.Count <= 10);
            seen.AddRange(page.Items.Select(n => n.Value.Version));
            token = page.ContinuationToken;
        }
        while (token is not null);

        var even = await notes.QueryAsync(new DocumentQuery { ColumnEquals = new Dictionary<string, string> { ["Even"] = "True" } }, null, 100, CancellationToken.None);
        Assert.Equal(Enumerable.Range(0, 25), seen);
        Assert.Equal(13, even.Items.Count);
        await Assert.ThrowsAsync<DomainException>(() => notes.QueryAsync(new DocumentQuery(), "%%%not-a-token", 10, CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_guarded_transitions_never_lose_an_update()
    {
        var harness = await StorageHarness.CreateAsync();
        var notes = harness.Collection<Note>("Notes");
        var key = new DocumentKey("counter", "");

        await Task.WhenAll(Enumerable.Range(0, 40).Select(_ => Task.Run(() => notes.TransitionAsync(
            key,
            current => Decision.Write(new Note("n", (current?.Value.Version ?? 0) + 1), true),
            CancellationToken.None))));

        Assert.Equal(40, (await notes.FindAsync(key, CancellationToken.None))!.Value.Version);
    }
}
