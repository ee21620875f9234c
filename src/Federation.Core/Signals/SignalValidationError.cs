namespace Federation.Core.Signals;

/// <summary>
/// Why one submitted item (or a whole batch) is refused: a stable machine <see cref="Rule"/> and a human
/// <see cref="Message"/> that names the type and the rule and says how to fix it. The hub adds the item's
/// position (<c>items[3].value</c>) from <see cref="Field"/> and maps the error to <c>INVALID_ARGUMENT</c>.
/// Messages never echo the submitted value: a rejected "hash" may be a child's e-mail address.
/// </summary>
public sealed class SignalValidationError
{
    /// <summary>Creates an error.</summary>
    /// <param name="rule">One of the <see cref="SignalValidationRule"/> names.</param>
    /// <param name="field">The offending field of the submission (<c>type</c>, <c>value</c>, <c>quality</c>, <c>categories</c>), or empty for the whole item or batch.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    public SignalValidationError(string rule, string field, string message)
    {
        Rule = rule;
        Field = field;
        Message = message;
    }

    /// <summary>The rule that failed, e.g. <c>value.length</c>; see <see cref="SignalValidationRule"/>.</summary>
    public string Rule { get; }

    /// <summary>The offending field of the submission, or empty when the error concerns the whole item or batch.</summary>
    public string Field { get; }

    /// <summary>What is wrong and how to fix it, e.g. "SHA256 value must be 64 hex characters; got 63".</summary>
    public string Message { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Rule}: {Message}";
}
