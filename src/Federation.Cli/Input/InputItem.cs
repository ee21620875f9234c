using Federation.Contracts.V1;

namespace Federation.Cli.Input;

/// <summary>One line of an input file: the submission it became, or why it could not be read.</summary>
public sealed record InputItem(string File, int Line, SignalSubmission? Submission, string? Error);
