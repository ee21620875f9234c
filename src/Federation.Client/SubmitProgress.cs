namespace Federation.Client;

/// <summary>Progress of a chunked submission, reported after each batch the hub acknowledged.</summary>
/// <param name="Submitted">Items acknowledged so far.</param>
/// <param name="Total">Items in the whole submission.</param>
/// <param name="Created">Items that created a record so far.</param>
/// <param name="Corroborated">Items that corroborated a record so far.</param>
/// <param name="Unchanged">Items that changed nothing so far.</param>
/// <param name="Rejected">Items the hub rejected so far.</param>
public readonly record struct SubmitProgress(int Submitted, int Total, int Created, int Corroborated, int Unchanged, int Rejected);
