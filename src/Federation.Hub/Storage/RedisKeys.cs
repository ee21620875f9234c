using StackExchange.Redis;

namespace Federation.Hub.Storage;

/// <summary>
/// Every Redis key and channel the hub uses, built in one place. Braces are Redis Cluster hash
/// tags: keys that one script touches together share a tag so they live on one slot, and the
/// same code runs on a single Redis or a cluster.
/// </summary>
/// <remarks>
/// Layout:
/// <list type="bullet">
/// <item><c>fed:{m}:member:&lt;id&gt;</c> hash per member: name, status, scopes, groups, secret (salted PBKDF2 hash), timestamps, reason.</item>
/// <item><c>fed:{m}:members</c> sorted set (all scores 0) of member ids, for lexical paging.</item>
/// <item><c>fed:{a}:audit</c> stream: the audit log, entry id <c>&lt;sequence&gt;-1</c>.</item>
/// <item><c>fed:{a}:audit-head</c> hash: <c>seq</c> and <c>hash</c> of the newest audit entry (the chain head).</item>
/// <item><c>fed:member-status</c> pub/sub channel: a member id whose status changed, so every replica ends its streams at once.</item>
/// <item><c>fed:{m}:member-seq</c> string counter and <c>fed:{m}:member-num</c> hash number → member id: the compact numeric
/// member ids stored inside signal records (4 bytes instead of the id text).</item>
/// </list>
/// Signals, per partition <c>NN</c> (hash tag <c>{pNN}</c>, see docs/signals.md for the packed record format):
/// <list type="bullet">
/// <item><c>fed:{pNN}:b:&lt;bucket&gt;</c> hash (listpack): field = storage key (kind byte + raw hash bytes + optional sharing
/// group UTF-8), value = packed record (22 bytes for one contributor, 37 at most; SignalRecordCodec). Bucket by linear hashing on
/// h = raw bytes 2-3 (big-endian): h mod n, or h mod 2n when that is below s (<c>fed:{pNN}:layout</c>).</item>
/// <item><c>fed:{pNN}:layout</c> hash: the partition's bucket layout, <c>n</c> the low modulus (BucketsPerPartition until the first split)
/// and <c>s</c> the split pointer (BucketLayout, BucketSplitter).</item>
/// <item><c>fed:{pNN}:c:&lt;storage key&gt;</c> hash, only once a second member backs a signal: member number → packed contribution.</item>
/// <item><c>fed:{pNN}:o:&lt;storage key&gt;</c> hash, only once a member gives an opinion: member number → opinion (1-3).</item>
/// <item><c>fed:{pNN}:ln:&lt;storage key&gt;</c> set, only once a submission links hashes of one media item: the signal ids of the
/// record's linked records (same sharing group), at most SignalStore.MaxLinksPerRecord; deleted with the record when it is purged.</item>
/// <item><c>fed:{pNN}:vf:&lt;identity&gt;</c> string, VPDQ only: the video's canonical frame set (VpdqFrameSet.Encode, ~37 bytes per
/// distinct frame), keyed by the 32 identity bytes, shared by every distribution of the video. Content-addressed and written before
/// the record's submit script (and again after it created the record), so a record never exists without its frames; given
/// SignalStore.VideoFramesGrace to live when the video's last record is purged.</item>
/// <item><c>fed:{pNN}:feed</c> stream: the partition's feed, entries <c>s</c> storage key, <c>k</c> UpdateKind, <c>v</c> version.</item>
/// <item><c>fed:{pNN}:bell</c> sharded pub/sub channel, Redis Cluster only: the partition's feed has new entries (FeedBell).</item>
/// <item><c>fed:{pNN}:stats</c> hash: <c>t&lt;kind&gt;[:group]</c> records ever created, <c>a&lt;kind&gt;[:group]</c> records active.</item>
/// <item><c>fed:{u:&lt;member&gt;}:rl</c> hash: the member's submit token bucket; <c>fed:{u:&lt;member&gt;}:batch:&lt;request id&gt;</c>
/// string: the batch's answer (SubmissionResultCodec: outcomes and refusals, no ids), for idempotent retries (expires after RequestIdRetention).</item>
/// <item><c>fed:sweep-lease</c> string: which replica runs the expiry sweep this round (SET NX PX); <c>fed:split-lease</c> the same for the bucket splitter.</item>
/// <item><c>fed:{pNN}:quarantine</c> hash: quarantined records, storage key → <c>trigger|since|reason</c>; <c>fed:{pNN}:disputed</c>
/// hash: records with DISPUTED or FALSE_POSITIVE opinions, storage key → their count; <c>fed:{pNN}:mr:&lt;hour&gt;</c>
/// hash: look-up matches per storage key this hour (match-rate policy, expires); <c>fed:{pNN}:act:&lt;storage key&gt;</c> hash: member
/// number → its recorded actions; <c>fed:{pNN}:appeals</c> hash: records owing appeal notices (docs/governance.md).</item>
/// <item><c>fed:{r}:report:&lt;yyyy-mm-dd&gt;</c> hash: one UTC day's transparency report counters, added to by every replica
/// every few seconds, expiring after the report retention.</item>
/// <item><c>fed:{u:&lt;member&gt;}:notices</c> stream: the member's overturn notices; <c>fed:{u:&lt;member&gt;}:nm:&lt;notice&gt;</c> string:
/// that notice was written (SET NX, expires with the notices).</item>
/// </list>
/// Governance (hash tag <c>{g}</c>, docs/governance.md):
/// <list type="bullet">
/// <item><c>fed:{g}:benign</c> hash: signal id (<c>&lt;type&gt;:&lt;hex&gt;</c>) → <c>&lt;max distance&gt;|&lt;added at, unix s&gt;|&lt;admin id&gt;|&lt;reason&gt;</c>, the known-benign list.</item>
/// <item><c>fed:{g}:benign-version</c> string counter, incremented with every change of the list: replicas reload their copy when it moved.</item>
/// </list>
/// Token request throttling (docs/security.md), per client id (hash tag <c>{t:&lt;client id&gt;}</c>) and per source
/// (<c>{s:&lt;source&gt;}</c>, an IPv4 address or an IPv6 /64 prefix); each limit is one string holding its theoretical
/// arrival time in ms (GCRA) and expires when it would be full again:
/// <list type="bullet">
/// <item><c>fed:{t:&lt;id&gt;}:tb</c> the client id's limit; <c>fed:{t:&lt;id&gt;}:tb:&lt;source&gt;</c> the client id's limit for one source.</item>
/// <item><c>fed:{t:&lt;id&gt;}:known:&lt;source&gt;</c> string, present while the source is known for the client id (it presented the right secret).</item>
/// <item><c>fed:{t:&lt;id&gt;}:note:&lt;source&gt;</c> and <c>fed:{s:&lt;source&gt;}:note</c> strings (SET NX PX): a refusal was audited this interval.</item>
/// <item><c>fed:{s:&lt;source&gt;}:tb</c> the source's limit over all client ids.</item>
/// </list>
/// </remarks>
public static class RedisKeys
{
    /// <summary>Hash of one member.</summary>
    public static RedisKey Member(string memberId) => $"fed:{{m}}:member:{memberId}";

    /// <summary>Sorted set of all member ids.</summary>
    public static readonly RedisKey MemberIndex = "fed:{m}:members";

    /// <summary>The audit log stream.</summary>
    public static readonly RedisKey AuditLog = "fed:{a}:audit";

    /// <summary>The audit chain head (newest sequence and hash).</summary>
    public static readonly RedisKey AuditHead = "fed:{a}:audit-head";

    /// <summary>Counter issuing compact member numbers.</summary>
    public static readonly RedisKey MemberSequence = "fed:{m}:member-seq";

    /// <summary>Hash member number → member id.</summary>
    public static readonly RedisKey MemberNumbers = "fed:{m}:member-num";

    /// <summary>The hash tag of a signal partition, e.g. <c>{p07}</c>.</summary>
    public static string PartitionTag(int partition) => $"{{p{partition:D2}}}";

    /// <summary>Prefix of every key of one partition, <c>fed:{pNN}:</c>. Scripts build no key names: each key they touch is passed in KEYS.</summary>
    public static string PartitionPrefix(int partition) => $"fed:{PartitionTag(partition)}:";

    /// <summary>The partition's feed stream (contract with the Feed side).</summary>
    public static RedisKey Feed(int partition) => $"fed:{PartitionTag(partition)}:feed";

    /// <summary>A partition's bucket layout (linear hashing): <c>n</c> the low modulus, <c>s</c> the split pointer.</summary>
    public static RedisKey BucketLayout(int partition) => $"fed:{PartitionTag(partition)}:layout";

    /// <summary>Lease that lets one replica at a time split buckets.</summary>
    public static readonly RedisKey SplitLease = "fed:split-lease";

    /// <summary>One record bucket of a partition.</summary>
    public static RedisKey SignalBucket(int partition, int bucket) => $"fed:{PartitionTag(partition)}:b:{bucket}";

    /// <summary>Overflow contributors of one signal (only once a second member backs it).</summary>
    public static RedisKey SignalContributors(int partition, ReadOnlySpan<byte> storageKey) => Binary(PartitionPrefix(partition) + ContributorsInfix, storageKey);

    /// <summary>Members' opinions of one signal (only once somebody gave one).</summary>
    public static RedisKey SignalOpinions(int partition, ReadOnlySpan<byte> storageKey) => Binary(PartitionPrefix(partition) + OpinionsInfix, storageKey);

    /// <summary>
    /// Prefix of a partition's overflow contributor keys, <c>fed:{pNN}:c:</c>, as bytes: <see cref="WithStorageKey"/> builds
    /// a key from it and a storage key without copying either (the submit path declares one such key per item).
    /// </summary>
    public static RedisKey SignalContributorsPrefix(int partition) => System.Text.Encoding.UTF8.GetBytes(PartitionPrefix(partition) + ContributorsInfix);

    /// <summary>Prefix of a partition's opinion keys, <c>fed:{pNN}:o:</c>, as bytes (see <see cref="SignalContributorsPrefix"/>).</summary>
    public static RedisKey SignalOpinionsPrefix(int partition) => System.Text.Encoding.UTF8.GetBytes(PartitionPrefix(partition) + OpinionsInfix);

    /// <summary>The key <paramref name="prefix"/> + <paramref name="storageKey"/>, sharing both arrays.</summary>
    public static RedisKey WithStorageKey(RedisKey prefix, byte[] storageKey) => ((RedisKey)storageKey).Prepend(prefix);

    /// <summary>The frames of one stored video (VPDQ), by its 32-byte identity.</summary>
    public static RedisKey VideoFrames(int partition, ReadOnlySpan<byte> identity) => Binary(PartitionPrefix(partition) + VideoFramesInfix, identity);

    /// <summary>Per-partition signal counters for statistics.</summary>
    public static RedisKey SignalStats(int partition) => $"fed:{PartitionTag(partition)}:stats";

    /// <summary>A partition's quarantined records: storage key → <c>trigger|since|reason</c>.</summary>
    public static RedisKey QuarantineRegistry(int partition) => $"fed:{PartitionTag(partition)}:quarantine";

    /// <summary>A partition's disputed records: storage key → DISPUTED + FALSE_POSITIVE opinions (for administrators' review).</summary>
    public static RedisKey DisputedRegistry(int partition) => $"fed:{PartitionTag(partition)}:disputed";

    /// <summary>A partition's records owing appeal notices: storage key → <c>cause|at|reason</c>, until every notice is written.</summary>
    public static RedisKey PendingAppeals(int partition) => $"fed:{PartitionTag(partition)}:appeals";

    /// <summary>Members' recorded actions on one record: member number → packed actions.</summary>
    public static RedisKey SignalActions(int partition, ReadOnlySpan<byte> storageKey) => Binary(PartitionPrefix(partition) + ActionsInfix, storageKey);

    /// <summary>The set of signal ids a record is linked to (hashes of the same media item).</summary>
    public static RedisKey SignalLinks(int partition, ReadOnlySpan<byte> storageKey) => Binary(PartitionPrefix(partition) + LinksInfix, storageKey);

    /// <summary>Prefix of a partition's link keys, <c>fed:{pNN}:ln:</c>, as bytes (see <see cref="SignalContributorsPrefix"/>).</summary>
    public static RedisKey SignalLinksPrefix(int partition) => System.Text.Encoding.UTF8.GetBytes(PartitionPrefix(partition) + LinksInfix);

    /// <summary>Prefix of a partition's action keys, <c>fed:{pNN}:act:</c>, as bytes (see <see cref="SignalContributorsPrefix"/>).</summary>
    public static RedisKey SignalActionsPrefix(int partition) => System.Text.Encoding.UTF8.GetBytes(PartitionPrefix(partition) + ActionsInfix);

    /// <summary>A partition's look-up match counters of one hour (storage key → matches), for the quarantine match-rate policy.</summary>
    public static RedisKey MatchCounter(int partition, long unixHour) => $"fed:{PartitionTag(partition)}:mr:{unixHour}";

    /// <summary>A member's notice stream (overturned signals it acted on); shares the member's hash tag.</summary>
    public static RedisKey NoticeStream(string memberId) => $"fed:{{u:{memberId}}}:notices";

    /// <summary>Marks one notice as written for a member (SET NX), so replicas racing to write it write it once.</summary>
    public static RedisKey NoticeMark(string memberId, string notice) => $"fed:{{u:{memberId}}}:nm:{notice}";

    /// <summary>A member's submit rate-limit bucket; shares the member's hash tag with its request ids.</summary>
    public static RedisKey SubmitRateLimit(string memberId) => $"fed:{{u:{memberId}}}:rl";

    /// <summary>The remembered response of one submitted batch.</summary>
    public static RedisKey SubmitRequest(string memberId, string requestId) => $"fed:{{u:{memberId}}}:batch:{requestId}";

    /// <summary>The known-benign list.</summary>
    public static readonly RedisKey BenignList = "fed:{g}:benign";

    /// <summary>Counter moved by every change of the known-benign list.</summary>
    public static readonly RedisKey BenignVersion = "fed:{g}:benign-version";

    /// <summary>One UTC day's transparency report counters (field → count), e.g. <c>fed:{r}:report:2026-12-01</c>.</summary>
    public static RedisKey ReportDay(DateOnly day) => $"fed:{{r}}:report:{day:yyyy-MM-dd}";

    /// <summary>Lease that lets one replica at a time run the expiry sweep.</summary>
    public static readonly RedisKey SweepLease = "fed:sweep-lease";

    private const string ContributorsInfix = "c:";
    private const string OpinionsInfix = "o:";
    private const string VideoFramesInfix = "vf:";
    private const string ActionsInfix = "act:";
    private const string LinksInfix = "ln:";

    private static RedisKey Binary(string prefix, ReadOnlySpan<byte> suffix)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(prefix) + suffix.Length];
        var written = System.Text.Encoding.UTF8.GetBytes(prefix, bytes);
        suffix.CopyTo(bytes.AsSpan(written));
        return bytes;
    }

    /// <summary>A client id's token request limit (all sources that are not known for it).</summary>
    public static RedisKey TokenClientLimit(string clientId) => $"fed:{{t:{clientId}}}:tb";

    /// <summary>A client id's token request limit for one source; same hash tag as <see cref="TokenClientLimit"/>.</summary>
    public static RedisKey TokenSourceClientLimit(string clientId, string source) => $"fed:{{t:{clientId}}}:tb:{source}";

    /// <summary>Present while <paramref name="source"/> is known for the client id.</summary>
    public static RedisKey TokenKnownSource(string clientId, string source) => $"fed:{{t:{clientId}}}:known:{source}";

    /// <summary>Set when a throttled request of this client id and source was audited, for the audit interval.</summary>
    public static RedisKey TokenClientRefusalNote(string clientId, string source) => $"fed:{{t:{clientId}}}:note:{source}";

    /// <summary>A source's token request limit over all client ids.</summary>
    public static RedisKey TokenSourceLimit(string source) => $"fed:{{s:{source}}}:tb";

    /// <summary>Set when a throttled request of this source was audited, for the audit interval.</summary>
    public static RedisKey TokenSourceRefusalNote(string source) => $"fed:{{s:{source}}}:note";

    /// <summary>Channel announcing member status changes.</summary>
    public static readonly RedisChannel MemberStatusChannel = RedisChannel.Literal("fed:member-status");
}
