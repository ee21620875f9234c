using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Federation.Hub.Options;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.Documentation;

/// <summary>
/// The README's configuration table is generated from the options classes (every setting, its default from a new
/// instance, its environment variable, its XML summary), so it cannot drift: this test fails when the README differs
/// and rewrites it when run with <c>FEDERATION_UPDATE_DOCS=1</c>.
/// </summary>
public sealed partial class ConfigurationTableTests
{
    private const string Begin = "<!-- configuration table: generated from src/Federation.Hub/Options by ConfigurationTableTests; FEDERATION_UPDATE_DOCS=1 dotnet test rewrites it -->";
    private const string End = "<!-- end of configuration table -->";

    [Fact]
    public void Readme_configuration_table_lists_every_setting_with_its_default_and_environment_name()
    {
        var readmePath = Path.Combine(RepositoryPaths.Root, "README.md");
        var readme = File.ReadAllText(readmePath);
        var table = Table();

        var start = readme.IndexOf(Begin, StringComparison.Ordinal);
        var end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"README.md has no generated configuration table between '{Begin}' and '{End}'");
        var current = readme[(start + Begin.Length)..end].Trim('\n');
        if (current != table && Environment.GetEnvironmentVariable("FEDERATION_UPDATE_DOCS") == "1")
        {
            File.WriteAllText(readmePath, readme[..(start + Begin.Length)] + "\n" + table + "\n" + readme[end..]);
            current = table;
        }

        Assert.True(current == table, "README.md's configuration table is out of date; run FEDERATION_UPDATE_DOCS=1 dotnet test --filter ConfigurationTableTests and commit README.md.\nExpected:\n" + table);
    }

    [Fact]
    public void Every_setting_has_a_summary()
    {
        var docs = Summaries();
        var missing = Settings(typeof(FederationOptions), FederationOptions.Section, new FederationOptions())
            .Where(s => !docs.ContainsKey(s.Member)).Select(s => s.Key).ToList();

        Assert.Empty(missing);
    }

    private static string Table()
    {
        var docs = Summaries();
        var lines = new StringBuilder();
        lines.Append("| setting | environment variable | default | meaning |\n|---|---|---|---|\n");
        foreach (var setting in Settings(typeof(FederationOptions), FederationOptions.Section, new FederationOptions()))
        {
            var summary = docs.TryGetValue(setting.Member, out var text) ? text : "";
            lines.Append(CultureInfo.InvariantCulture, $"| `{setting.Key}` | `{setting.Key.Replace(":", "__", StringComparison.Ordinal)}` | {setting.Default} | {summary.Replace("|", "\\|", StringComparison.Ordinal)} |\n");
        }

        return lines.ToString().TrimEnd('\n');
    }

    private sealed record Setting(string Key, string Default, string Member);

    // Leaf settings in declaration order; nested option classes (same namespace) become sections.
    private static IEnumerable<Setting> Settings(Type type, string prefix, object instance)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.CanWrite).OrderBy(p => p.MetadataToken))
        {
            var key = prefix + ":" + property.Name;
            var value = property.GetValue(instance);
            if (property.PropertyType.IsClass && property.PropertyType.Namespace == typeof(FederationOptions).Namespace)
            {
                foreach (var nested in Settings(property.PropertyType, key, value!))
                {
                    yield return nested;
                }

                continue;
            }

            yield return new Setting(key, Format(value), $"P:{type.FullName}.{property.Name}");
        }
    }

    private static string Format(object? value) => value switch
    {
        null or "" => "(empty)",
        bool b => b ? "`true`" : "`false`",
        TimeSpan t => $"`{t.ToString("c", CultureInfo.InvariantCulture)}`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    // Each member's XML summary, with <c>/<see> reduced to text.
    private static Dictionary<string, string> Summaries()
    {
        var xml = Path.ChangeExtension(typeof(FederationOptions).Assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing (GenerateDocumentationFile)");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var member in XDocument.Load(xml).Descendants("member"))
        {
            var summary = member.Element("summary");
            if (summary is null)
            {
                continue;
            }

            var text = string.Concat(summary.Nodes().Select(Text));
            text = Whitespace().Replace(text, " ").Trim();
            result[(string)member.Attribute("name")!] = text;
        }

        return result;
    }

    private static string Text(XNode node) => node switch
    {
        XText text => text.Value,
        XElement { Name.LocalName: "see" or "seealso" } see => "`" + ((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? "").Split('.', ':')[^1] + "`",
        XElement { Name.LocalName: "c" } code => "`" + code.Value + "`",
        XElement element => string.Concat(element.Nodes().Select(Text)),
        _ => "",
    };

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
