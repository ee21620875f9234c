using Federation.Core.Signals;
using static Federation.Core.Tests.Signals.SignalTestData;

namespace Federation.Core.Tests.Signals;

public sealed class SubmissionBatchRulesTests
{
    private static readonly NormalizedSignal A = Normalize(SignalKind.Sha256, new string('a', 64));
    private static readonly NormalizedSignal B = Normalize(SignalKind.Sha256, new string('b', 64));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1000)]
    public void Batches_of_up_to_1000_items_are_accepted(int count)
    {
        Assert.True(SubmissionBatchRules.TryCheckSize(count, out var error));
        Assert.Null(error);
    }

    [Fact]
    public void A_batch_of_1001_items_is_rejected_with_a_split_it_message()
    {
        Assert.False(SubmissionBatchRules.TryCheckSize(1001, out var error));

        Assert.Equal(SignalValidationRule.BatchSize, error!.Rule);
        Assert.StartsWith("a batch holds at most 1,000 items; got 1,001. Split it", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_same_signal_in_another_case_is_a_duplicate_of_the_first_item()
    {
        var upperA = Normalize(SignalKind.Sha256, new string('A', 64));
        NormalizedSignal[] batch = [A, B, upperA];
        var duplicateOf = new int[batch.Length];

        var count = SubmissionBatchRules.FindDuplicates(batch, duplicateOf);

        Assert.Equal(1, count);
        Assert.Equal([-1, -1, 0], duplicateOf);
    }

    [Fact]
    public void Every_repeat_points_at_the_first_occurrence()
    {
        NormalizedSignal[] batch = [B, A, A, B, A];
        var duplicateOf = new int[batch.Length];

        var count = SubmissionBatchRules.FindDuplicates(batch, duplicateOf);

        Assert.Equal(3, count);
        Assert.Equal([-1, -1, 1, 0, 1], duplicateOf);
    }

    [Fact]
    public void Items_already_rejected_are_skipped()
    {
        NormalizedSignal[] batch = [default, A, default, A];
        var duplicateOf = new int[batch.Length];

        SubmissionBatchRules.FindDuplicates(batch, duplicateOf);

        Assert.Equal([-1, -1, -1, 1], duplicateOf);
    }

    [Fact]
    public void The_same_bytes_under_another_type_are_not_a_duplicate()
    {
        NormalizedSignal[] batch = [A, Normalize(SignalKind.UrlSha256, new string('a', 64))];
        var duplicateOf = new int[batch.Length];

        Assert.Equal(0, SubmissionBatchRules.FindDuplicates(batch, duplicateOf));
    }

    [Fact]
    public void The_same_signal_for_different_sharing_groups_is_not_a_duplicate()
    {
        NormalizedSignal[] batch = [A, A, A, A];
        string?[] groups = ["finance", null, "", "finance"];
        var duplicateOf = new int[batch.Length];

        var count = SubmissionBatchRules.FindDuplicates(batch, duplicateOf, groups);

        Assert.Equal(2, count);
        Assert.Equal([-1, -1, 1, 0], duplicateOf);
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(3000)]
    public void Large_batches_of_distinct_signals_have_no_duplicates_until_one_repeats(int size)
    {
        var random = new Random(1234);
        var batch = new NormalizedSignal[size + 1];
        for (var i = 0; i < size; i++)
        {
            batch[i] = NormalizedSignal.FromRaw(SignalKind.Sha256, RandomBytes(random, 32));
        }

        batch[size] = batch[size / 2];
        var duplicateOf = new int[batch.Length];

        var count = SubmissionBatchRules.FindDuplicates(batch, duplicateOf);

        Assert.Equal(1, count);
        Assert.Equal(size / 2, duplicateOf[size]);
    }

    [Fact]
    public void Duplicate_error_names_the_earlier_item()
    {
        var error = SubmissionBatchRules.DuplicateError(3);

        Assert.Equal(SignalValidationRule.BatchDuplicate, error.Rule);
        Assert.StartsWith("this signal already appears at items[3] of the same batch", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Spans_shorter_than_the_batch_are_refused()
    {
        NormalizedSignal[] batch = [A, B];

        Assert.Throws<ArgumentException>(() => SubmissionBatchRules.FindDuplicates(batch, new int[1]));
        Assert.Throws<ArgumentException>(() => SubmissionBatchRules.FindDuplicates(batch, new int[2], new string?[1]));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
