namespace Federation.Hub.Taxii;

/// <summary>A TAXII request refused with an HTTP status and a TAXII error message (title and an actionable description).</summary>
public sealed class TaxiiException(int status, string title, string description) : Exception(title)
{
    /// <summary>The HTTP status.</summary>
    public int Status { get; } = status;

    /// <summary>Short human-readable summary.</summary>
    public string Title { get; } = title;

    /// <summary>What went wrong and what to do.</summary>
    public string Description { get; } = description;
}
