using System.CommandLine;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Client.Subscriptions;
using Federation.Contracts.V1;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl tail</c>: follows the live feed as JSON lines; reconnects and resumes by itself.</summary>
public static class TailCommand
{
    public static Command Create()
    {
        var from = new Option<string>("--from") { Description = "Where to start when no cursor is known: latest or snapshot", DefaultValueFactory = _ => "latest" };
        from.AcceptOnlyFromAmong("latest", "snapshot");
        var cursor = new Option<string?>("--cursor") { Description = "Resume strictly after this cursor" };
        var resume = new Option<string?>("--resume") { Description = "Keep the cursor under this name in the fedctl home (cursors/<name>.cursor) and continue from it next time" };
        var types = new Option<string[]>("--type") { Description = "Only these signal types (repeatable)", AllowMultipleArgumentsPerToken = true };
        var categories = new Option<string[]>("--category") { Description = "Only signals with one of these categories (repeatable)", AllowMultipleArgumentsPerToken = true };
        var minCorroboration = new Option<uint>("--min-corroboration") { Description = "Only signals backed by at least this many members" };
        var minConfidence = new Option<uint>("--min-confidence") { Description = "Only signals whose confidence is at least this (0-100)" };
        var maxShareLevel = new Option<string?>("--max-share-level") { Description = "Only signals at most this restrictive: clear, green, amber, amber+strict" };
        var heartbeats = new Option<bool>("--heartbeats") { Description = "Also print heartbeat updates" };
        var count = new Option<int?>("--count", "-n") { Description = "Exit after this many updates (heartbeats not counted)" };
        var snapshotOnExpired = new Option<bool>("--snapshot-on-expired") { Description = "When the cursor is older than the retained feed, start again from a snapshot instead of exiting with 6" };
        var command = new Command("tail", "Follow the live feed: one JSON object per line (proto3 JSON of SignalUpdate) on stdout. " +
            "Reconnects by itself with backoff and resumes after the last printed update; Ctrl+C exits 0.")
        {
            from, cursor, resume, types, categories, minCorroboration, minConfidence, maxShareLevel, heartbeats, count, snapshotOnExpired,
        };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var filter = new SubscribeFilter
            {
                MinCorroboration = context.Get(minCorroboration),
                MinConfidence = context.Get(minConfidence),
                MaxShareLevel = context.Get(maxShareLevel) is { } level ? ShareLevelNames.Parse(level) : ShareLevel.Unspecified,
            };
            filter.Types_.AddRange((context.Get(types) ?? []).Select(SignalNames.ParseType));
            filter.Categories.AddRange((context.Get(categories) ?? []).SelectMany(SignalNames.ParseCategories));
            var options = new SubscriptionOptions
            {
                Start = context.Get(from) == "snapshot" ? SubscribeStart.Snapshot : SubscribeStart.Latest,
                Cursor = context.Get(cursor),
                Filter = filter,
                IncludeHeartbeats = context.Get(heartbeats),
                SnapshotOnExpiredCursor = context.Get(snapshotOnExpired),
                OnReconnect = (failure, delay) => Console.Error.WriteLine($"fedctl: reconnecting in {delay.TotalSeconds:F1} s: {failure?.Message ?? "stream ended"}"),
            };
            if (context.Get(resume) is { } name)
            {
                options.CursorStore = new FileCursorStore(context.Profiles.CursorDirectory);
                options.CursorKey = name;
            }

            var limit = context.Get(count);
            var printed = 0;
            var stdout = Console.Out;
            await foreach (var update in context.Client.SubscribeAsync(options, cancellationToken))
            {
                await stdout.WriteLineAsync(CliContext.ToJson(update));
                await stdout.FlushAsync(cancellationToken);
                if (update.Kind != UpdateKind.Heartbeat && ++printed == limit)
                {
                    // The SDK saves a cursor when the next update is asked for; this one was printed, so it is done.
                    if (options.CursorStore is { } store && update.Cursor.Length > 0 && update.Kind != UpdateKind.Snapshot)
                    {
                        await store.SaveAsync(options.CursorKey, update.Cursor, cancellationToken);
                    }

                    break;
                }
            }

            return ExitCodes.Ok;
        });
    }
}
