using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Federation.Hub.Tests.AdminConsole;

/// <summary>
/// A real headless Chromium (Debian's <c>chromium</c>, installed by scripts/ensure-chromium.sh) driven over the Chrome
/// DevTools Protocol on loopback: one page, navigation, script evaluation and screenshots. The browser runs in a private
/// profile folder and is killed by PID when disposed.
/// </summary>
public sealed partial class HeadlessChromium : IAsyncDisposable
{
    private readonly Process process;
    private readonly ClientWebSocket socket = new();
    private readonly string profile;
    private string session = "";
    private int nextId;

    private HeadlessChromium(Process process, string profile)
    {
        this.process = process;
        this.profile = profile;
    }

    /// <summary>The browser's executable, or null when none is installed.</summary>
    public static string? Executable { get; } = new[] { "chromium", "chromium-browser", "google-chrome" }
        .Select(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists))
        .FirstOrDefault(path => path is not null);

    /// <summary>Starts the browser with one blank page attached.</summary>
    public static async Task<HeadlessChromium> StartAsync(int width = 1280, int height = 900)
    {
        var profile = Directory.CreateTempSubdirectory("federation-chromium-").FullName;
        var start = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("chromium is not installed (scripts/ensure-chromium.sh)"))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var browser = new HeadlessChromium(process, profile);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? url = null;
            while (url is null && await process.StandardError.ReadLineAsync(timeout.Token) is { } line)
            {
                if (DevToolsUrl().Match(line) is { Success: true } match)
                {
                    url = match.Value;
                }
            }

            await browser.socket.ConnectAsync(new Uri(url ?? throw new InvalidOperationException("chromium printed no DevTools address")), timeout.Token);
            _ = DrainAsync(process.StandardError);
            var target = await browser.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" }, toBrowser: true);
            var attached = await browser.SendAsync("Target.attachToTarget", new JsonObject { ["targetId"] = target["targetId"]!.GetValue<string>(), ["flatten"] = true }, toBrowser: true);
            browser.session = attached["sessionId"]!.GetValue<string>();
            await browser.SendAsync("Page.enable");
            await browser.SendAsync("Runtime.enable");
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens <paramref name="url"/> and waits until the document has loaded.</summary>
    public async Task NavigateAsync(string url)
    {
        var navigation = await SendAsync("Page.navigate", new JsonObject { ["url"] = url });
        if (navigation["errorText"] is { } error)
        {
            throw new InvalidOperationException($"chromium could not open {url}: {error}");
        }

        await WaitForAsync("document.readyState === 'complete' && location.href !== 'about:blank'", TimeSpan.FromSeconds(20), "the page to load");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page (promises awaited) and returns its JSON value.</summary>
    public async Task<JsonNode?> EvaluateAsync(string expression)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["awaitPromise"] = true, ["returnByValue"] = true });
        if (result["exceptionDetails"] is { } exception)
        {
            var where = (await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = "location.href + ' | ' + document.documentElement.outerHTML.slice(0, 300)", ["returnByValue"] = true }))["result"]?["value"];
            throw new InvalidOperationException($"the page's script failed ({where}): {exception["exception"]?["description"]}");
        }

        return result["result"]?["value"];
    }

    /// <summary>Polls <paramref name="condition"/> (a JS expression) until it is true, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitForAsync(string condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await EvaluateAsync($"Boolean({condition})") is { } value && value.GetValue<bool>())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                var text = await EvaluateAsync("document.body ? document.body.innerText.slice(0, 2000) : ''");
                throw new TimeoutException($"timed out waiting for {what}; the page shows: {text}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>A PNG screenshot of the page as it is shown.</summary>
    public async Task<byte[]> ScreenshotAsync() =>
        Convert.FromBase64String((await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }))["data"]!.GetValue<string>());

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                await SendAsync("Browser.close", toBrowser: true).WaitAsync(TimeSpan.FromSeconds(5));
            }
        }
        catch (Exception e) when (e is WebSocketException or TimeoutException or InvalidOperationException)
        {
            // Killed below.
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        socket.Dispose();
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (IOException)
        {
            // A crash reporter still writing; the temporary folder goes with the run's.
        }
    }

    private async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null, bool toBrowser = false)
    {
        var id = ++nextId;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
        if (!toBrowser)
        {
            message["sessionId"] = session;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[1 << 16];
        while (true)
        {
            using var received = new MemoryStream();
            WebSocketReceiveResult part;
            do
            {
                part = await socket.ReceiveAsync(buffer, timeout.Token);
                received.Write(buffer, 0, part.Count);
            }
            while (!part.EndOfMessage);

            // Events (no id) and answers to other commands are skipped: one command is in flight at a time.
            if (JsonNode.Parse(received.ToArray()) is JsonObject reply && reply["id"]?.GetValue<int>() == id)
            {
                if (reply["error"] is { } error)
                {
                    throw new InvalidOperationException($"{method} failed: {error.ToJsonString()}");
                }

                return reply["result"]?.AsObject() ?? [];
            }
        }
    }

    private static async Task DrainAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is not null)
        {
            // Chromium's log lines; read so its pipe never fills.
        }
    }

    [GeneratedRegex(@"ws://127\.0\.0\.1:\d+/devtools/browser/[0-9a-f-]+")]
    private static partial Regex DevToolsUrl();
}

/// <summary>A fact that is skipped, saying why, when no Chromium is installed (test.sh installs it: scripts/ensure-chromium.sh).</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute([System.Runtime.CompilerServices.CallerFilePath] string? sourceFilePath = null, [System.Runtime.CompilerServices.CallerLineNumber] int sourceLineNumber = -1)
        : base(sourceFilePath, sourceLineNumber)
    {
        if (HeadlessChromium.Executable is null)
        {
            Skip = "chromium is not installed; run scripts/ensure-chromium.sh (test.sh does) to run the admin console's browser tests";
        }
    }
}
