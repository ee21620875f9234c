using System.CommandLine;
using Federation.Cli.Infrastructure;
using Federation.Cli.Input;
using Federation.Client.Hashing;
using Federation.Core.Vpdq;
using Federation.Imaging;
using Spectre.Console;

namespace Federation.Cli.Commands;

/// <summary><c>fedctl hash</c>: computes signal values locally; nothing is sent.</summary>
public static class HashCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Files to hash (MD5, SHA-256, and PDQ with quality for images)", Arity = ArgumentArity.ZeroOrMore };
        var urls = new Option<string[]>("--url") { Description = "Hash a URL canonically (url_sha256); repeatable" };
        var texts = new Option<string[]>("--text") { Description = "Hash a normalized text (text_sha256); repeatable" };
        var accounts = new Option<string[]>("--account") { Description = "Hash 'platform:account-id' (account_sha256); repeatable" };
        var payments = new Option<string[]>("--payment") { Description = "Hash 'rail:identifier' (payment_sha256); repeatable" };
        var keyFile = new Option<string?>("--key-file")
        {
            Description = "Coalition key file ('<key id>=<hex key>' per line; default: the " + CoalitionKeyRing.EnvironmentVariable +
                " variable, same form): --url/--text/--account/--payment print keyed *_hmac_sha256 values under every key instead. " +
                "Keys are never taken as arguments (other users could read them in the process list)",
        };
        var noPdq = new Option<bool>("--no-pdq") { Description = "Skip PDQ (image decoding) and vPDQ (video decoding)" };
        var vpdqText = new Option<bool>("--vpdq-text") { Description = "For one video: print its vPDQ in the reference vpdq-hash-video text format (frameNumber,quality,pdqHash,timestamp) instead" };
        var secondsPerHash = new Option<double>("--seconds-per-hash") { Description = "vPDQ: hash one frame per this many seconds (the reference's -r); 0, the default, hashes every frame" };
        var command = new Command("hash", "Compute signal values locally (nothing is sent): MD5, SHA-256 and PDQ of files, and for videos (by extension: " +
            string.Join(", ", VideoFiles.Extensions) + ") MD5, SHA-256 and vPDQ with FFmpeg; canonical SHA-256 of URLs, texts, accounts and payment identifiers, or with coalition keys their HMAC-SHA256 per key id. " +
            "JSON output is one object per line, a video's frames included.")
        {
            files, urls, texts, accounts, payments, keyFile, noPdq, vpdqText, secondsPerHash,
        };
        return command.WithAction(async (context, cancellationToken) =>
        {
            var rows = new List<Dictionary<string, object?>>();
            var paths = context.Get(files) ?? [];
            foreach (var file in paths.Where(f => !File.Exists(f)))
            {
                throw CliException.Usage($"no such file: {file}");
            }

            var videoOptions = new VpdqHashOptions { SecondsPerHash = context.Get(secondsPerHash) };
            if (videoOptions.SecondsPerHash < 0)
            {
                throw CliException.Usage("--seconds-per-hash must be 0 (every frame) or more");
            }

            if (context.Get(vpdqText))
            {
                if (paths.Length != 1 || !VideoFiles.IsVideo(paths[0]))
                {
                    throw CliException.Usage("--vpdq-text takes exactly one video file");
                }

                var video = await VideoHashing.HashAsync(context, paths[0], videoOptions, cancellationToken);
                Console.Out.Write(VpdqText.Format(video.Frames));
                return ExitCodes.Ok;
            }

            var images = paths.Where(p => !VideoFiles.IsVideo(p)).ToArray();
            await ProgressBar.RunAsync(context, "hashing", images.Length, async done =>
            {
                foreach (var file in images)
                {
                    rows.Add(await HashFileAsync(file, !context.Get(noPdq), cancellationToken));
                    done(1);
                }
            });

            foreach (var file in paths.Where(VideoFiles.IsVideo))
            {
                rows.Add(await VideoHashing.HashRowAsync(context, file, !context.Get(noPdq), videoOptions, cancellationToken));
            }

            var keys = IdentifierKeys.Load(context.Get(keyFile));
            void AddIdentifiers(Option<string[]> option, string kind)
            {
                foreach (var value in context.Get(option) ?? [])
                {
                    if (keys is null)
                    {
                        var signal = SignalNames.Resolve(kind, value);
                        rows.Add(new Dictionary<string, object?> { ["input"] = value, [SignalNames.TypeName(signal.Type)] = signal.Value });
                        continue;
                    }

                    foreach (var keyed in IdentifierKeys.Hash(keys, kind, value))
                    {
                        rows.Add(new Dictionary<string, object?>
                        {
                            ["input"] = value,
                            [SignalNames.TypeName(keyed.Type)] = keyed.Value,
                            ["keyId"] = keyed.KeyId,
                            ["signalId"] = keyed.SignalId,
                        });
                    }
                }
            }

            AddIdentifiers(urls, "url");
            AddIdentifiers(texts, "text");
            AddIdentifiers(accounts, "account");
            AddIdentifiers(payments, "payment");
            if (rows.Count == 0)
            {
                throw CliException.Usage("nothing to hash: give files or --url/--text/--account/--payment");
            }

            if (context.Json)
            {
                rows.ForEach(context.WritePlainJson);
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("input", "type", "value");
            foreach (var row in rows)
            {
                foreach (var (key, value) in row.Where(r => r.Key is not "input" and not "pdqQuality" and not "vpdqFrames" and not "vpdqDistinctFrames" and not "frames" and not "keyId" and not "signalId"))
                {
                    var label = key switch
                    {
                        "pdq" => $"pdq (quality {row["pdqQuality"]})",
                        _ when row.TryGetValue("keyId", out var keyId) => $"{key} (key id {keyId}; id {row["signalId"]})",
                        "vpdq" => $"vpdq ({row["vpdqFrames"]} frames, {row["vpdqDistinctFrames"]} distinct; id vpdq:{value})",
                        _ => key,
                    };
                    table.AddRow(Markup.Escape(row["input"]?.ToString() ?? ""), Markup.Escape(label), value?.ToString() ?? "");
                }
            }

            context.Console.Write(table);
            return ExitCodes.Ok;
        });
    }

    private static async Task<Dictionary<string, object?>> HashFileAsync(string file, bool pdq, CancellationToken cancellationToken)
    {
        var hashes = await FileHashes.FromFileAsync(file, cancellationToken);
        var row = new Dictionary<string, object?> { ["input"] = file, ["md5"] = hashes.Md5, ["sha256"] = hashes.Sha256 };
        if (pdq)
        {
            try
            {
                var image = ImagePdqHasher.HashFile(file);
                row["pdq"] = image.Hash.ToString();
                row["pdqQuality"] = image.Quality;
            }
            catch (InvalidDataException)
            {
                // Not an image: PDQ does not apply.
            }
        }

        return row;
    }
}
