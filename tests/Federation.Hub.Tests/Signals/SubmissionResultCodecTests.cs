using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Tests.Signals;

/// <summary>The stored form of a batch's answer (idempotent retries): what it keeps, what it drops, what it refuses.</summary>
public sealed class SubmissionResultCodecTests
{
    [Fact]
    public void Outcomes_refusals_and_the_token_survive_and_ids_are_dropped()
    {
        var result = new SubmissionResult(
        [
            new SubmissionItemResult(0, SubmissionOutcome.Created, "sha256:ab", "sha256:ab", null),
            SubmissionItemResult.Rejected(1, HubErrorKind.PermissionDenied, "items[1].sharing_group", "sharing_group.not_member: ask the administrator"),
            new SubmissionItemResult(2, SubmissionOutcome.Unchanged, "md5:cd", "md5:cd@g", null),
        ], "token-1");

        var decoded = SubmissionResultCodec.Decode(SubmissionResultCodec.Encode(result));

        Assert.Equal([SubmissionOutcome.Created, SubmissionOutcome.Rejected, SubmissionOutcome.Unchanged], decoded.Items.Select(i => i.Outcome));
        Assert.Equal([0, 1, 2], decoded.Items.Select(i => i.Index));
        Assert.All(decoded.Items, i => Assert.Equal("", i.SignalId + i.RecordId));
        Assert.Equal(result.Items[1].Refusal, decoded.Items[1].Refusal);
        Assert.Equal("token-1", decoded.ConsistencyToken);
        Assert.Equal(new SubmissionCounts(1, 0, 1, 1), decoded.Counts);
    }

    [Fact]
    public void An_answer_without_writes_has_no_token()
    {
        var result = new SubmissionResult([SubmissionItemResult.Rejected(0, HubErrorKind.InvalidArgument, "items[0].value", "value.hex: not hex")], null);

        Assert.Null(SubmissionResultCodec.Decode(SubmissionResultCodec.Encode(result)).ConsistencyToken);
    }

    [Fact]
    public void Bytes_of_another_format_or_cut_short_are_refused_as_invalid_data()
    {
        var bytes = SubmissionResultCodec.Encode(new SubmissionResult([new SubmissionItemResult(0, SubmissionOutcome.Created, "", "", null)], "t"));

        Assert.Throws<InvalidDataException>(() => SubmissionResultCodec.Decode([0x0A, 0x02, 0x08, 0x01]));
        Assert.Throws<InvalidDataException>(() => SubmissionResultCodec.Decode(bytes[..^1]));
    }
}
