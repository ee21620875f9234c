using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using Federation.Cli.Profiles;
using Federation.Client;
using Google.Protobuf;
using Spectre.Console;

namespace Federation.Cli.Infrastructure;

/// <summary>What a command needs: its parsed arguments, the profile, a client and the output channels.</summary>
public sealed class CliContext(ParseResult parseResult) : IDisposable
{
    private static readonly JsonFormatter ProtoJson = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonSerializerOptions PlainJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    private FederationClient? client;
    private IAnsiConsole? console;

    public ParseResult Parse { get; } = parseResult;

    public ProfileStore Profiles { get; } = ProfileStore.Default();

    public string ProfileName => Parse.GetValue(GlobalOptions.Profile)
        ?? (Environment.GetEnvironmentVariable("FEDCTL_PROFILE") is { Length: > 0 } p ? p : "default");

    public OutputFormat Output => Parse.GetValue(GlobalOptions.Output);

    public bool Json => Output == OutputFormat.Json;

    /// <summary>Tables for people, on stdout.</summary>
    public IAnsiConsole Console => console ??= CreateConsole();

    /// <summary>A client for the selected profile, created on first use.</summary>
    public FederationClient Client => client ??= new FederationClient(Profiles.Load(ProfileName));

    public T Get<T>(Option<T> option) => Parse.GetValue(option)!;

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public static string ToJson(IMessage message) => ProtoJson.Format(message);

    public static string ToPlainJson<T>(T value) => JsonSerializer.Serialize(value, PlainJson);

    public void WriteJson(IMessage message) => System.Console.Out.WriteLine(ToJson(message));

    public void WritePlainJson<T>(T value) => System.Console.Out.WriteLine(ToPlainJson(value));

    public void WriteLine(string text) => System.Console.Out.WriteLine(text);

    /// <summary>
    /// Writes one JSON object as a line: plain values serialized as <see cref="ToPlainJson{T}"/> does, protobuf messages
    /// in their canonical JSON mapping, side by side — built with a JSON writer, so every value is escaped.
    /// </summary>
    public void WriteJsonObject(params (string Name, object? Value)[] properties)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WritePropertyName(name);
                if (value is IMessage message)
                {
                    writer.WriteRawValue(ToJson(message));
                }
                else
                {
                    JsonSerializer.Serialize(writer, value, PlainJson);
                }
            }

            writer.WriteEndObject();
        }

        System.Console.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    public void Dispose() => client?.Dispose();

    private static IAnsiConsole CreateConsole()
    {
        var created = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(System.Console.Out) });
        if (System.Console.IsOutputRedirected)
        {
            // Hashes are 64 characters: do not wrap tables at 80 columns in pipes and files.
            created.Profile.Width = 240;
        }

        return created;
    }
}
