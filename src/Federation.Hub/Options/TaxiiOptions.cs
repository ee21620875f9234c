using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>
/// The read-only TAXII 2.1 server (docs/taxii.md): signal records as STIX 2.1 indicators, one collection coalition-wide
/// and one per sharing group, paged from a per-replica catalog ordered by date added.
/// </summary>
public sealed class TaxiiOptions
{
    /// <summary>
    /// Serve TAXII under <c>/taxii2/</c>. The catalog costs memory on every replica (about 200 bytes per stored record,
    /// docs/taxii.md); turn it off on replicas that do not serve TAXII clients.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The coalition's name: the discovery title and the name of the STIX <c>identity</c> that creates every indicator.</summary>
    [Required]
    [MinLength(1)]
    public string CoalitionName { get; set; } = "Federation coalition";

    /// <summary>Objects per page when the client sends no <c>limit</c>.</summary>
    [Range(1, 10_000)]
    public int DefaultPageSize { get; set; } = 100;

    /// <summary>Most objects per page, whatever <c>limit</c> asks for (TAXII lets the server lower it).</summary>
    [Range(1, 10_000)]
    public int MaxPageSize { get; set; } = 1_000;

    /// <summary>
    /// Objects whose date added is newer than now minus this are held back for a moment. Dates come from Redis' clock
    /// (feed entry ids); a change committed just after a page was read must never get a date before that page's last
    /// object, or a client paging with <c>next</c> would skip it. The delay covers the clock difference between hub
    /// replicas and Redis (or Redis Cluster shards): keep clocks synchronised (NTP) well within it.
    /// </summary>
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a page waits for this replica's catalog to apply the feed entries Redis already holds, before 503.</summary>
    public TimeSpan CatchUpWait { get; set; } = TimeSpan.FromSeconds(5);
}
