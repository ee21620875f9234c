using System.Reflection;
using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Loads the embedded <c>Storage/Scripts/*.lua</c> files. StackExchange.Redis's
/// <see cref="LuaScript"/> caches each script and calls it by SHA (EVALSHA), falling back to
/// EVAL once after a Redis restart flushed the script cache.
/// </summary>
public static class LuaScripts
{
    /// <summary>Reads an embedded script by file name, e.g. <c>audit_append.lua</c>.</summary>
    public static string Load(string fileName)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var resource = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + fileName, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
