using System.CommandLine;
using System.Diagnostics;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Client;
using Federation.Contracts.V1;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl submit</c>: bulk submission from CSV or JSON Lines files.</summary>
public static class SubmitCommand
{
    // Items submitted per SDK call. With a progress reporter the SDK cuts a call into about 20 batches of at most 1000, so
    // 20,000 keeps full batches of 1000 while the bar moves after each.
    private const int SegmentSize = 20_000;

    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "CSV or JSON Lines files ('-' for standard input)", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string?>("--format") { Description = "Input format when the extension does not tell: csv or jsonl" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var category = new Option<string[]>("--category", "-c") { Description = "Category for lines without one (repeatable), e.g. csam, grooming", AllowMultipleArgumentsPerToken = true };
        var confidence = new Option<uint?>("--confidence") { Description = "Confidence 0-100 for lines without one (the hub keeps a contribution's first value)" };
        var shareLevel = new Option<string?>("--share-level") { Description = "TLP 2.0 level for lines without one: clear, green (default), amber, amber+strict (red is refused by the hub)" };
        var requestId = new Option<string?>("--request-id") { Description = "Idempotency key of this run; running again with the same key never counts twice (default: random)" };
        var command = new Command("submit", "Submit signals from files, in batches of 1000, with progress, throughput and a summary. " +
            "Columns/keys: type, value, categories, quality, expires_at, sharing_group, confidence, share_level. Types url, account, text and payment are hashed locally first. " +
            "Exit 3 when any item was rejected.")
        {
            files, format, category, confidence, shareLevel, requestId,
        };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var defaults = (context.Get(category) ?? []).SelectMany(SignalNames.ParseCategories).Distinct().ToList();
            var inputs = context.Get(files);
            foreach (var file in inputs.Where(f => f != "-" && !File.Exists(f)))
            {
                throw CliException.Usage($"no such file: {file}");
            }

            var items = inputs.SelectMany(f => SignalFileReader.Read(f, context.Get(format), defaults)).ToList();
            var defaultLevel = context.Get(shareLevel) is { } level ? ShareLevelNames.Parse(level) : ShareLevel.Unspecified;
            foreach (var submission in items.Select(i => i.Submission).OfType<SignalSubmission>())
            {
                if (!submission.HasConfidence && context.Get(confidence) is { } value)
                {
                    submission.Confidence = value;
                }

                if (submission.ShareLevel == ShareLevel.Unspecified)
                {
                    submission.ShareLevel = defaultLevel;
                }
            }

            var runId = context.Get(requestId) ?? "fedctl-" + Guid.NewGuid().ToString("N");
            var client = context.Client;
            var stopwatch = Stopwatch.StartNew();
            var summary = new Summary();
            var rejections = items.Where(i => i.Error is not null).Select(i => new Rejection(i.File, i.Line, "", (int)Grpc.Core.StatusCode.InvalidArgument, i.Error!)).ToList();
            var valid = items.Where(i => i.Submission is not null).ToList();

            async Task SubmitAllAsync(Action<int> advance)
            {
                for (var offset = 0; offset < valid.Count; offset += SegmentSize)
                {
                    var segment = valid.Skip(offset).Take(SegmentSize).ToList();
                    var done = 0;
                    var progress = new Progress(p =>
                    {
                        advance(p.Submitted - done);
                        done = p.Submitted;
                    });
                    var result = await client.SubmitAsync(segment.Select(i => i.Submission!), $"{runId}-{offset / SegmentSize}", progress, cancellationToken);
                    summary.Add(result);
                    foreach (var rejected in result.Rejections)
                    {
                        var item = segment[(int)rejected.Index];
                        rejections.Add(new Rejection(item.File, item.Line, rejected.Error?.Field ?? "", rejected.Error?.Code ?? 0, rejected.Error?.Description ?? ""));
                    }
                }
            }

            await ProgressBar.RunAsync(context, "submitting", valid.Count, SubmitAllAsync);

            var seconds = stopwatch.Elapsed.TotalSeconds;
            var perSecond = seconds > 0 ? valid.Count / seconds : 0;
            rejections.Sort((a, b) => (string.CompareOrdinal(a.File, b.File), a.Line.CompareTo(b.Line)) switch { (0, var l) => l, (var f, _) => f });
            if (context.Json)
            {
                context.WritePlainJson(new
                {
                    total = items.Count,
                    created = summary.Created,
                    corroborated = summary.Corroborated,
                    unchanged = summary.Unchanged,
                    rejected = rejections.Count,
                    batches = summary.Batches,
                    requestId = runId,
                    elapsedSeconds = Math.Round(seconds, 3),
                    itemsPerSecond = Math.Round(perSecond, 1),
                    rejections,
                });
            }
            else
            {
                var table = new Table().AddColumns("outcome", "items");
                table.AddRow("created", summary.Created.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("corroborated", summary.Corroborated.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("unchanged", summary.Unchanged.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("rejected", rejections.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                table.AddRow("total", items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                context.Console.Write(table);
                context.WriteLine($"{valid.Count} items in {seconds:F2} s ({perSecond:F0} items/s), {summary.Batches} batches, request id {runId}");
                if (rejections.Count > 0)
                {
                    var rejectedTable = new Table().AddColumns("file", "line", "field", "reason");
                    foreach (var r in rejections.Take(50))
                    {
                        rejectedTable.AddRow(Markup.Escape(r.File), r.Line.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(r.Field), Markup.Escape(r.Description));
                    }

                    context.Console.Write(rejectedTable);
                    if (rejections.Count > 50)
                    {
                        context.WriteLine($"... and {rejections.Count - 50} more rejections (use --output json for all)");
                    }
                }
            }

            return rejections.Count > 0 ? ExitCodes.PartialRejects : ExitCodes.Ok;
        });
    }

    private sealed record Rejection(string File, int Line, string Field, int Code, string Description);

    private sealed class Summary
    {
        public int Created { get; private set; }

        public int Corroborated { get; private set; }

        public int Unchanged { get; private set; }

        public int Batches { get; private set; }

        public void Add(SubmissionResult result)
        {
            Created += result.Created;
            Corroborated += result.Corroborated;
            Unchanged += result.Unchanged;
            Batches += result.Batches;
        }
    }

    /// <summary>Reports synchronously (System.Progress posts to the thread pool, out of order with the bar).</summary>
    private sealed class Progress(Action<SubmitProgress> report) : IProgress<SubmitProgress>
    {
        public void Report(SubmitProgress value) => report(value);
    }
}
