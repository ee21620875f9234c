namespace Federation.Hub.Taxii;

/// <summary>A TAXII collection: coalition-wide (<see cref="Group"/> "") or one sharing group's.</summary>
/// <param name="Id">The collection id (<see cref="StixIds.Collection"/>).</param>
/// <param name="Group">The sharing group whose records it holds, "" for coalition-wide records.</param>
public sealed record TaxiiCollection(string Id, string Group)
{
    /// <summary>The collections <paramref name="groups"/> (the caller's sharing groups) may read, coalition-wide first.</summary>
    public static IReadOnlyList<TaxiiCollection> VisibleTo(IReadOnlyList<string> groups)
    {
        var collections = new List<TaxiiCollection>(groups.Count + 1) { new(StixIds.Collection(""), "") };
        foreach (var group in groups.Order(StringComparer.Ordinal))
        {
            collections.Add(new TaxiiCollection(StixIds.Collection(group), group));
        }

        return collections;
    }

    /// <summary>Human-readable title.</summary>
    public string Title => Group.Length == 0 ? "Coalition-wide signals" : $"Signals of sharing group {Group}";

    /// <summary>Short alias.</summary>
    public string Alias => Group.Length == 0 ? "coalition" : "group-" + Group;
}
