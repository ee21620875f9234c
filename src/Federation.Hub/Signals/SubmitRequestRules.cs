using System.Diagnostics.CodeAnalysis;

namespace Federation.Hub.Signals;

/// <summary>Whole-request checks of a submit batch (Submit, each SubmitStream batch); the per-item checks live in <see cref="SignalSubmitter"/>, a look-up's in <see cref="LookupRequestRules"/>.</summary>
public static class SubmitRequestRules
{
    /// <summary>Longest request id.</summary>
    public const int MaxRequestIdLength = 128;

    /// <summary>Checks a submit batch's request id and size; returns the offending field and what is wrong.</summary>
    public static bool TryValidate(string requestId, int itemCount, int maxBatchSize, [NotNullWhen(false)] out (string Field, string Description)? error)
    {
        error = null;
        if (requestId.Length is 0 or > MaxRequestIdLength || !requestId.All(c => c is >= '!' and <= '~'))
        {
            error = ("request_id", $"request_id.format: request_id must be 1-{MaxRequestIdLength} printable ASCII characters without spaces (got {requestId.Length} characters); use e.g. a UUID per batch and reuse it only to retry that batch");
        }
        else if (itemCount == 0)
        {
            error = ("items", "batch.empty: the batch holds no items; send at least one");
        }
        else if (itemCount > maxBatchSize)
        {
            error = ("items", $"batch.size: a batch holds at most {maxBatchSize:N0} items; got {itemCount:N0}. Split it into several batches (SubmitStream streams batches for bulk loads)");
        }

        return error is null;
    }
}
