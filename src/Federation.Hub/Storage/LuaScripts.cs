using System.Reflection;

namespace Federation.Hub.Storage;

/// <summary>
/// Loads the embedded <c>Storage/Scripts/*.lua</c> files. The stores pass the script text to
/// <c>ScriptEvaluateAsync</c>; StackExchange.Redis remembers each text's SHA per server (loading it with SCRIPT LOAD
/// first when it does not know it) and sends EVALSHA, so the text crosses the wire once per server and connection.
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
