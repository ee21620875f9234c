namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// The one wait-for-condition helper of the test suites (no fixed sleeps in tests): polls a condition until it holds,
/// or fails the test after the timeout saying what it waited for. Linked into every suite with the infrastructure.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> (and <paramref name="details"/>) after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what, Func<string>? details = null, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail($"timed out after {timeout} waiting for {what} {details?.Invoke()}".TrimEnd());
            }

            await Task.Delay(poll ?? DefaultPoll, CancellationToken.None);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails with <paramref name="what"/> (and <paramref name="details"/>) after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string what, Func<string>? details = null, TimeSpan? poll = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what, details, poll);
}
