using System.Globalization;
using System.Text.Json;
using CsvHelper;
using CsvHelper.Configuration;
using Federation.Contracts.V1;
using Google.Protobuf.WellKnownTypes;

namespace Federation.Cli.Input;

/// <summary>
/// Reads submissions from CSV (header row; columns type, value, categories, quality, expires_at,
/// sharing_group, confidence, share_level, media_item (the same label on the adjacent lines of one file's hashes links them); categories separated by ';' or '|') or JSON Lines (one object per line with the same
/// keys, categories as an array or a string). Format by extension (.csv, .jsonl/.ndjson) or --format.
/// A line that cannot be read becomes an item with an error; reading goes on.
/// </summary>
public static class SignalFileReader
{
    public static IEnumerable<InputItem> Read(string path, string? format, IReadOnlyList<Category> defaultCategories)
    {
        var kind = (format ?? Path.GetExtension(path).TrimStart('.')).ToLowerInvariant();
        return kind switch
        {
            "csv" => ReadCsv(path, defaultCategories),
            "jsonl" or "ndjson" or "json" => ReadJsonLines(path, defaultCategories),
            _ => throw new Infrastructure.CliException(Infrastructure.ExitCodes.Usage, $"{path}: unknown format '{kind}'; use .csv or .jsonl, or --format csv|jsonl"),
        };
    }

    private static IEnumerable<InputItem> ReadCsv(string path, IReadOnlyList<Category> defaultCategories)
    {
        string? badRecord = null;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            // Comments ('#' lines) and blank lines are skipped below rather than by the parser, whose raw line count
            // leaves them out: line numbers in errors must be the file's.
            IgnoreBlankLines = false,
            TrimOptions = TrimOptions.Trim,
            PrepareHeaderForMatch = args => args.Header.Trim().ToLowerInvariant(),
            // A short row leaves its missing columns empty; a broken quote becomes that row's error, not the whole file's.
            MissingFieldFound = null,
            BadDataFound = args => badRecord = args.RawRecord,
        };
        using var reader = OpenText(path);
        using var csv = new CsvReader(reader, configuration);
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header ||
            !header.Any(h => h.Trim().Equals("type", StringComparison.OrdinalIgnoreCase)) ||
            !header.Any(h => h.Trim().Equals("value", StringComparison.OrdinalIgnoreCase)))
        {
            throw new Infrastructure.CliException(Infrastructure.ExitCodes.Usage, $"{path}: the first line must be a header with at least 'type' and 'value' columns");
        }

        var nextLine = csv.Parser.RawRow + 1;
        while (csv.Read())
        {
            // A quoted field may span lines: report the line the record starts on.
            var line = nextLine;
            nextLine = csv.Parser.RawRow + 1;
            // Reading the whole record parses every field, so a broken quote anywhere in it is reported now.
            var fields = csv.Parser.Record ?? [];
            if (fields.All(string.IsNullOrWhiteSpace) || fields[0].StartsWith('#'))
            {
                badRecord = null;
                continue;
            }

            if (badRecord is not null)
            {
                badRecord = null;
                yield return new InputItem(path, line, null, "malformed CSV record (check its quotes)");
                continue;
            }

            string? Field(string name) => csv.TryGetField<string>(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
            yield return Build(path, line, Field("type"), Field("value"), Field("categories"), Field("quality"), Field("expires_at"), Field("sharing_group"), defaultCategories, Field("confidence"), Field("share_level"), Field("media_item"));
        }
    }

    private static IEnumerable<InputItem> ReadJsonLines(string path, IReadOnlyList<Category> defaultCategories)
    {
        using var reader = OpenText(path);
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            InputItem item;
            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                string? Text(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null
                    ? v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText()
                    : null;
                var categories = root.TryGetProperty("categories", out var c) && c.ValueKind == JsonValueKind.Array
                    ? string.Join(';', c.EnumerateArray().Select(e => e.GetString()))
                    : Text("categories");
                item = Build(path, lineNumber, Text("type"), Text("value"), categories, Text("quality"), Text("expires_at"), Text("sharing_group"), defaultCategories, Text("confidence"), Text("share_level"), Text("media_item"));
            }
            catch (JsonException e)
            {
                item = new InputItem(path, lineNumber, null, "not a JSON object: " + e.Message);
            }

            yield return item;
        }
    }

    private static InputItem Build(
        string path, int line, string? type, string? value, string? categories, string? quality, string? expiresAt, string? group, IReadOnlyList<Category> defaultCategories,
        string? confidence, string? shareLevel, string? mediaItem)
    {
        try
        {
            if (type is null || value is null)
            {
                return new InputItem(path, line, null, "type and value are required");
            }

            var resolved = SignalNames.Resolve(type, value);
            var submission = new SignalSubmission { Type = resolved.Type, Value = resolved.Value, KeyId = resolved.KeyId, SharingGroup = group ?? "", MediaItem = mediaItem ?? "" };
            submission.Categories.AddRange(categories is null ? defaultCategories : SignalNames.ParseCategories(categories));
            if (submission.Categories.Count == 0)
            {
                return new InputItem(path, line, null, "no category: add a categories column or pass --category");
            }

            if (quality is not null)
            {
                submission.Quality = uint.Parse(quality, CultureInfo.InvariantCulture);
            }

            if (expiresAt is not null)
            {
                submission.ExpiresAt = Timestamp.FromDateTimeOffset(DateTimeOffset.Parse(expiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
            }

            if (confidence is not null)
            {
                submission.Confidence = uint.Parse(confidence, CultureInfo.InvariantCulture);
            }

            if (shareLevel is not null)
            {
                submission.ShareLevel = ShareLevelNames.Parse(shareLevel);
            }

            return new InputItem(path, line, submission, null);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or Infrastructure.CliException or InvalidOperationException)
        {
            return new InputItem(path, line, null, e.Message);
        }
    }

    private static StreamReader OpenText(string path) =>
        path == "-" ? new StreamReader(Console.OpenStandardInput()) : new StreamReader(path);

}
