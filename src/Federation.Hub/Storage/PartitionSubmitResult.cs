using Federation.Core.Feed;

namespace Federation.Hub.Storage;

/// <summary>What one dedup script call into one partition did.</summary>
/// <param name="Outcomes">One outcome per item: 1 CREATED, 2 CORROBORATED, 3 UNCHANGED.</param>
/// <param name="Written">The partition feed entry the call appended last; <see cref="FeedPosition.Zero"/> when it appended none.</param>
public readonly record struct PartitionSubmitResult(int[] Outcomes, FeedPosition Written);
