using System.Diagnostics;
using System.Text.Json;
using Federation.Imaging;

namespace Federation.Bench;

/// <summary>
/// vPDQ hashing speed on one core: a 640x360 H.264 video made with ffmpeg's lavfi <c>testsrc</c> (at nice 15), hashed
/// every frame (the reference default) with this process and its ffmpeg child pinned to CPU 0, one decoding and one
/// hashing thread. The figure is video seconds per wall-clock second (target >= 10x real time); the baseline in the
/// same run is ffmpeg alone decoding and converting the same frames to RGB24 on the same core.
/// </summary>
internal static class VpdqBenchmark
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly string[] QuietOverwrite = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"];

    public static int Run(string[] args)
    {
        var quick = args.Contains("--quick");
        var seconds = quick ? 10 : 60;
        const int Fps = 25;
        var outFile = BenchPaths.Option(args, "--out") ?? BenchPaths.ResultsFile("vpdq.json");
        Console.WriteLine($"vPDQ hashing benchmark: 640x360 H.264, {seconds} s at {Fps} fps, one core; {Environment.ProcessorCount} cores, {AllBenchmark.CpuModel()}, .NET {Environment.Version}, load {AllBenchmark.LoadAverage()}");

        var folder = Directory.CreateTempSubdirectory("vpdq-bench-").FullName;
        try
        {
            var video = Path.Combine(folder, "testsrc-640x360.mp4");
            RunFfmpeg(nice: true, "-f", "lavfi", "-i", $"testsrc=size=640x360:rate={Fps}:duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-threads", "1", video);

            // One core for this process and every child it starts from here on (affinity is inherited).
            if (OperatingSystem.IsLinux() || OperatingSystem.IsWindows())
            {
                using var self = Process.GetCurrentProcess();
                self.ProcessorAffinity = 1;
            }

            var decodeOnly = Stopwatch.StartNew();
            RunFfmpeg(nice: false, "-threads", "1", "-i", video, "-fps_mode", "passthrough", "-vf", "scale=flags=area:in_color_matrix=bt601", "-filter_threads", "1", "-pix_fmt", "rgb24", "-f", "rawvideo", "-y", "/dev/null");
            decodeOnly.Stop();

            var options = new VpdqHashOptions { HashingThreads = 1, DecodingThreads = 1 };
            VideoVpdqHasher.HashFileAsync(video, options).GetAwaiter().GetResult(); // warm-up (JIT)
            var cpuBefore = CpuSeconds();
            var clock = Stopwatch.StartNew();
            var hash = VideoVpdqHasher.HashFileAsync(video, options).GetAwaiter().GetResult();
            clock.Stop();
            var cpu = CpuSeconds() - cpuBefore;

            var realTime = seconds / clock.Elapsed.TotalSeconds;
            var decodeRealTime = seconds / decodeOnly.Elapsed.TotalSeconds;
            var verdict = realTime >= 10 ? "MET" : "MISSED";
            Console.WriteLine($"ffmpeg decode + RGB24 only: {decodeOnly.Elapsed.TotalSeconds:F2} s = {decodeRealTime:F1}x real time");
            Console.WriteLine($"vPDQ (decode + hash every frame): {hash.Frames.Count} frames in {clock.Elapsed.TotalSeconds:F2} s = {hash.Frames.Count / clock.Elapsed.TotalSeconds:F0} frames/s = {realTime:F1}x real time (target >= 10x: {verdict}); load {AllBenchmark.LoadAverage()}");
            Console.WriteLine($"CPU time (this process + ffmpeg): {cpu:F2} s = {seconds / cpu:F1}x real time per CPU-second (what a quiet core would give)");
            File.WriteAllText(outFile, JsonSerializer.Serialize(new
            {
                benchmark = "vpdq",
                quick,
                machine = new { cores = Environment.ProcessorCount, cpu = AllBenchmark.CpuModel(), loadAverage = AllBenchmark.LoadAverage() },
                video = new { width = 640, height = 360, fps = Fps, seconds, codec = "h264", frames = hash.Frames.Count },
                decodeOnlySeconds = decodeOnly.Elapsed.TotalSeconds,
                decodeOnlyRealTime = decodeRealTime,
                hashSeconds = clock.Elapsed.TotalSeconds,
                framesPerSecond = hash.Frames.Count / clock.Elapsed.TotalSeconds,
                realTime,
                cpuSeconds = cpu,
                realTimePerCpuSecond = seconds / cpu,
                target = 10,
                verdict,
            }, Indented));
            Console.WriteLine($"written: {outFile}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    // utime + stime + cutime + cstime of this process (children counted once waited for), from /proc/self/stat.
    private static double CpuSeconds()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state); utime..cstime are fields 14..17.
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[13], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[14], System.Globalization.CultureInfo.InvariantCulture);
        return ticks / 100.0;
    }

    private static void RunFfmpeg(bool nice, params string[] args)
    {
        var start = new ProcessStartInfo(nice ? "nice" : "ffmpeg") { RedirectStandardError = true, UseShellExecute = false };
        if (nice)
        {
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("15");
            start.ArgumentList.Add("ffmpeg");
        }

        foreach (var a in QuietOverwrite.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill();
            throw new TimeoutException("ffmpeg did not finish in 10 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {errors}");
        }
    }
}
