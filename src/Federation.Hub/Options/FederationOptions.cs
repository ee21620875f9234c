using System.ComponentModel.DataAnnotations;

namespace Federation.Hub.Options;

/// <summary>
/// Every setting of the hub, bound from the <c>Federation</c> configuration section
/// (appsettings.json, environment variables such as <c>Federation__Redis</c>, or command-line
/// arguments such as <c>--Federation:Redis=...</c>). Validated on start.
/// </summary>
public sealed class FederationOptions
{
    public const string Section = "Federation";

    /// <summary>
    /// The settings as configured, for wiring that must happen before the options pattern is available
    /// (Kestrel listeners, OpenIddict). Services take <c>IOptions&lt;FederationOptions&gt;</c> instead.
    /// </summary>
    public static FederationOptions From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<FederationOptions>() ?? new FederationOptions();

    /// <summary>
    /// StackExchange.Redis connection string of the system of record (Redis 7+ or Redis Cluster).
    /// Empty: the hub starts and owns a private <c>redis-server</c> on a free loopback port.
    /// </summary>
    public string Redis { get; set; } = "";

    /// <summary>How writes to Redis are acknowledged: replica acknowledgements for submissions.</summary>
    public StoreOptions Store { get; set; } = new();

    /// <summary>
    /// Local data folder: the private Redis server's AOF files and, when no key is configured,
    /// the generated token signing key. Relative paths are resolved against the working directory.
    /// </summary>
    [Required]
    public string DataPath { get; set; } = ".data";

    /// <summary>
    /// The token issuer (absolute URI) written into and required in every access token. Set it
    /// explicitly so tokens issued by one replica or port are accepted by all others.
    /// </summary>
    [Required]
    public string Issuer { get; set; } = "http://127.0.0.1:5080/";

    /// <summary>Address the hub listens on; loopback by default. Use 0.0.0.0 in containers.</summary>
    [Required]
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>
    /// Plaintext HTTP/1.1 port: token endpoint, JWKS, health. Without TLS, Kestrel cannot serve
    /// HTTP/1.1 and HTTP/2 (h2c) on one port, hence two ports. Ignored when Kestrel endpoints are
    /// configured explicitly (for example with TLS).
    /// </summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 5080;

    /// <summary>Plaintext HTTP/2-only port serving gRPC.</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 5081;

    /// <summary>
    /// Refuse token requests over plain HTTP. Off by default because a local hub listens on
    /// loopback without TLS; turn it on wherever TLS terminates at the hub.
    /// </summary>
    public bool RequireHttps { get; set; }

    /// <summary>Lifetime of access tokens. Short, because a token cannot be recalled once issued.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// PEM file holding the RSA private key that signs access tokens; every replica must use the
    /// same key. Empty: a key is generated once into <see cref="DataPath"/> and reused.
    /// </summary>
    public string SigningKeyPath { get; set; } = "";

    /// <summary>The first administrator, created at start when it does not exist.</summary>
    public BootstrapOptions Bootstrap { get; set; } = new();

    /// <summary>Signal submission and look-up limits.</summary>
    public SignalOptions Signals { get; set; } = new();

    /// <summary>Live feed settings.</summary>
    public FeedOptions Feed { get; set; } = new();

    /// <summary>Access token claims, the token endpoint's input limits and its throttling of secret guessing.</summary>
    public TokenOptions Tokens { get; set; } = new();

    /// <summary>Fair sharing of a replica's capacity between members (concurrency, queues, streams, connections).</summary>
    public FairnessOptions Fairness { get; set; } = new();

    /// <summary>The read-only TAXII 2.1 server on the HTTP/1.1 port (docs/taxii.md).</summary>
    public TaxiiOptions Taxii { get; set; } = new();

    /// <summary>OpenTelemetry traces, metrics and logs (OTLP, configured by the standard OTEL_* variables).</summary>
    public TelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Coalition governance: quarantine policy, false-positive quorum, appeal notices (docs/governance.md).</summary>
    public GovernanceOptions Governance { get; set; } = new();

    /// <summary>
    /// Largest gRPC request message accepted, in bytes, compressed or after decompression (default 8 MiB; a full 1,000-item
    /// Submit batch is about 150 KB). Larger messages are refused with RESOURCE_EXHAUSTED before they are buffered.
    /// </summary>
    [Range(64 * 1024, 256 * 1024 * 1024)]
    public int MaxRequestMessageBytes { get; set; } = 8 * 1024 * 1024;
}

/// <summary>The first administrator client.</summary>
public sealed class BootstrapOptions
{
    /// <summary>Client id of the first administrator. Empty with no member at all: "admin" with a generated secret written to the data folder.</summary>
    public string AdminClientId { get; set; } = "";

    /// <summary>Its client secret (at least 24 characters). Stored only as a salted slow hash.</summary>
    public string AdminClientSecret { get; set; } = "";
}

/// <summary>Signal submission and look-up limits.</summary>
public sealed class SignalOptions
{
    /// <summary>Most items in one Submit, SubmitStream batch or Lookup.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 1000;

    /// <summary>PDQ hashes of lower quality are rejected (PDQ's own recommendation is 50).</summary>
    [Range(0, 100)]
    public int MinPdqQuality { get; set; } = 50;

    /// <summary>Default PDQ near-match distance.</summary>
    [Range(0, 64)]
    public int DefaultPdqDistance { get; set; } = 31;

    /// <summary>Largest PDQ near-match distance a caller may ask for.</summary>
    [Range(0, 64)]
    public int MaxPdqDistance { get; set; } = 31;

    /// <summary>
    /// Longest a PDQ look-up with a consistency token waits for this replica's index to apply the writes it names
    /// (normally a few milliseconds: the feed tail's delay); beyond it the look-up fails with UNAVAILABLE.
    /// </summary>
    public TimeSpan PdqConsistencyWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Coalition default retention of a contribution without its own expires_at.</summary>
    public TimeSpan DefaultRetention { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Number of partitions (Redis hash tags). Fixed for the life of a deployment.</summary>
    [Range(1, 1024)]
    public int Partitions { get; set; } = 16;

    /// <summary>How long a batch's request_id is remembered for idempotent retries.</summary>
    public TimeSpan RequestIdRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Submitted items per member per second (token bucket shared by all replicas; the bucket holds one second's
    /// worth, and at least one full batch); 0 (the default) disables the limit. A coalition policy (a member's
    /// quota across all replicas), not the protection of other members: that is <see cref="FairnessOptions"/>, which
    /// follows each replica's capacity (docs/decisions.md).
    /// </summary>
    [Range(0, int.MaxValue)]
    public int RateLimitPerSecond { get; set; }

    /// <summary>
    /// Record buckets (small listpack hashes) per partition before the first split: the bucket splitter then adds
    /// buckets as the partition grows (<see cref="SplitFieldsPerBucket"/>, docs/signals.md "Buckets that follow the
    /// data"). Do not change it once signals are stored: a partition without a stored layout is read with it.
    /// </summary>
    [Range(1, 65_536)]
    public int BucketsPerPartition { get; set; } = 1024;

    /// <summary>
    /// The average records per bucket above which the splitter adds a bucket (linear hashing). Buckets not yet split in
    /// a round hold up to twice the average, so keep twice this (plus some) under Redis
    /// <c>hash-max-listpack-entries</c> (512 for the hub's own redis-server; Redis's default 128 wants ≤ 48). 0 = never split.
    /// </summary>
    [Range(0, 100_000)]
    public int SplitFieldsPerBucket { get; set; } = 192;

    /// <summary>How often the splitter (one replica at a time) looks whether a partition needs more buckets.</summary>
    public TimeSpan SplitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the expiry sweep walks every bucket (one replica per round).</summary>
    public TimeSpan ExpirySweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Items of one partition one submit script call carries at most; a batch's items of one partition beyond it go in
    /// further calls. Redis runs one script at a time, so this bounds how long another member's command waits behind one
    /// call (~25 µs of Redis per item here): a batch whose values were chosen to land in one partition is 1,000 items in
    /// one call otherwise, tens of milliseconds during which Redis answers nobody else. A batch of 1,000 random hashes has
    /// ~63 per partition, so about 6 of its 16 partitions go in two calls; measured, that costs no ingest (`bench ingest`).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxItemsPerScriptCall { get; set; } = 64;

    /// <summary>
    /// Buckets one sweep script call walks at most; it stops earlier at <see cref="SweepRecordsPerCall"/>. Many empty or
    /// small buckets then go in one call, full ones one or two at a time.
    /// </summary>
    [Range(1, 4096)]
    public int SweepBucketsPerCall { get; set; } = 16;

    /// <summary>
    /// Records one sweep script call reads at most (it always walks one whole bucket): Redis answers nobody else while a
    /// script runs, and the sweep makes one call at a time, so this bounds how long another member's command waits behind it.
    /// </summary>
    [Range(1, 100_000)]
    public int SweepRecordsPerCall { get; set; } = 256;

    /// <summary>
    /// The share of wall time the background walkers of the store (the expiry sweep, the bucket splitter) may keep Redis
    /// busy: after each call they pause for the rest (docs/decisions.md "Background walkers paced"). 1 = no pauses.
    /// </summary>
    [Range(0.01, 1.0)]
    public double MaintenanceRedisShare { get; set; } = 0.25;

    /// <summary>How long retracted and expired records (tombstones) are kept after their expiry before the sweep deletes them.</summary>
    public TimeSpan TombstoneRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Batches of one SubmitStream call processed concurrently (the rest wait, in order).</summary>
    [Range(1, 64)]
    public int SubmitStreamConcurrency { get; set; } = 4;

    /// <summary>
    /// Submission batches are audited as one summary entry per member per interval (counts only), so the
    /// hash-chained audit log is not a per-batch bottleneck under load.
    /// </summary>
    public TimeSpan SubmitAuditInterval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Live feed settings.</summary>
public sealed class FeedOptions
{
    /// <summary>Feed entries kept per partition (approximate trimming).</summary>
    [Range(1000, int.MaxValue)]
    public int MaxEntriesPerPartition { get; set; } = 1_000_000;

    /// <summary>Feed entries older than this are trimmed.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Interval of heartbeat updates on idle streams.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Updates buffered per subscriber before it detaches to catch up from Redis.</summary>
    [Range(16, 1_000_000)]
    public int SubscriberBuffer { get; set; } = 4096;
}

/// <summary>Access token claims, the token endpoint's input limits and its throttling of secret guessing (docs/security.md).</summary>
public sealed class TokenOptions
{
    /// <summary>
    /// Audience (<c>aud</c>) written into every access token and required on every call, so a token the hub's key
    /// signed for another API is refused here. Every replica must use the same value.
    /// </summary>
    [Required]
    public string Audience { get; set; } = "federation-hub";

    /// <summary>
    /// Clock skew tolerated between replicas when checking <c>exp</c>, <c>nbf</c> and <c>iat</c>; at most 5 minutes
    /// (a token cannot be recalled, so the tolerance extends its life).
    /// </summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Largest token request body (bytes); larger ones get 413. A client-credentials form is well under 1 KiB.</summary>
    [Range(1024, 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>Throttling of token requests per client id and per source address.</summary>
    public TokenThrottleOptions Throttle { get; set; } = new();
}

/// <summary>
/// Limits on token requests (generic cell rate: a burst, then one attempt per interval), shared by every replica
/// through Redis and charged before the secret is verified; a right secret gives its attempt back. Refusals are
/// HTTP 429 with Retry-After. See docs/security.md, "Credentials and tokens". Validated on start: bursts 1-100,000,
/// intervals 1 ms to 1 hour.
/// </summary>
public sealed class TokenThrottleOptions
{
    /// <summary>Attempts for one client id from sources that never authenticated as it, before the interval applies.</summary>
    [Range(1, 100_000)]
    public int ClientBurst { get; set; } = 5;

    /// <summary>One more attempt per client id per this interval (5 a minute by default).</summary>
    public TimeSpan ClientInterval { get; set; } = TimeSpan.FromSeconds(12);

    /// <summary>Attempts for one client id from one source address (its only limit once the source is known).</summary>
    [Range(1, 100_000)]
    public int SourceClientBurst { get; set; } = 20;

    /// <summary>One more attempt per client id and source per this interval (10 a minute by default).</summary>
    public TimeSpan SourceClientInterval { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>Attempts from one source address (IPv4 address, IPv6 /64) over all client ids.</summary>
    [Range(1, 100_000)]
    public int SourceBurst { get; set; } = 30;

    /// <summary>One more attempt per source per this interval (30 a minute by default).</summary>
    public TimeSpan SourceInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A source that presented the right secret for a client id is "known" for this long (renewed on every success)
    /// and exempt from the per-client-id limit, so guessing from elsewhere cannot lock the member out.
    /// </summary>
    public TimeSpan KnownSourceRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>At most one <c>auth.throttled</c> audit entry and log line per client id and source per this interval.</summary>
    public TimeSpan RefusalAuditInterval { get; set; } = TimeSpan.FromMinutes(1);
}
