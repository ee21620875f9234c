using Federation.Client.Subscriptions;

namespace Federation.Client.Tests;

public sealed class FileCursorStoreTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("federation-cursors-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    [Fact]
    public async Task Missing_cursor_loads_as_null() =>
        Assert.Null(await new FileCursorStore(directory).LoadAsync("feed"));

    [Fact]
    public async Task Saved_cursor_survives_a_new_store_instance()
    {
        await new FileCursorStore(directory).SaveAsync("feed", "0-1:12-3");

        Assert.Equal("0-1:12-3", await new FileCursorStore(directory).LoadAsync("feed"));
    }

    [Fact]
    public async Task Save_replaces_the_previous_cursor_and_leaves_no_temporary_file()
    {
        var store = new FileCursorStore(directory);
        await store.SaveAsync("feed", "first");

        await store.SaveAsync("feed", "second");

        Assert.Equal("second", await store.LoadAsync("feed"));
        Assert.Equal(["feed.cursor"], Directory.GetFiles(directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Keys_are_independent_and_delete_forgets_one()
    {
        var store = new FileCursorStore(directory);
        await store.SaveAsync("a", "1");
        await store.SaveAsync("b", "2");

        await store.DeleteAsync("a");

        Assert.Null(await store.LoadAsync("a"));
        Assert.Equal("2", await store.LoadAsync("b"));
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("")]
    public void Key_that_is_not_a_plain_file_name_is_rejected(string key) =>
        Assert.ThrowsAny<ArgumentException>(() => new FileCursorStore(directory).PathFor(key));

    [Fact]
    public async Task Concurrent_saves_leave_one_complete_cursor()
    {
        var store = new FileCursorStore(directory);
        var cursors = Enumerable.Range(0, 50).Select(i => $"cursor-{i:D4}-" + new string('x', 100)).ToArray();

        await Task.WhenAll(cursors.Select(c => store.SaveAsync("feed", c).AsTask()));

        Assert.Contains(await store.LoadAsync("feed"), cursors);
        Assert.Single(Directory.GetFiles(directory));
    }
}
