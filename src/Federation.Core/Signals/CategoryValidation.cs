using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Federation.Core.Signals;

/// <summary>
/// Validates a submission's categories and packs them into a <see cref="CategorySet"/>: at least one is
/// required, every one must be a category this hub knows, duplicates are ignored (the proto says so).
/// </summary>
public static class CategoryValidation
{
    /// <summary>The highest category value this version knows.</summary>
    public const SignalCategory HighestKnown = SignalCategory.Solicitation;

    private const string KnownNames =
        "CSAM, CSAM_GENERATED, GROOMING, SEXTORTION, LIVESTREAMED_ABUSE, TRAFFICKING, PREDATORY_ACCOUNT, SOLICITATION";

    /// <summary>Validates category numbers (the proto <c>Category</c> values).</summary>
    public static bool TryCreate(
        ReadOnlySpan<int> values,
        out CategorySet categories,
        [NotNullWhen(false)] out SignalValidationError? error)
    {
        categories = CategorySet.Empty;
        for (var i = 0; i < values.Length; i++)
        {
            if (!TryAdd(ref categories, values[i], i, out error))
            {
                return false;
            }
        }

        return TryComplete(categories, out error);
    }

    /// <summary>
    /// Validates a list of any int-backed category enum, e.g. the generated <c>RepeatedField&lt;Category&gt;</c>
    /// (which is an <see cref="IReadOnlyList{T}"/>), without copying or boxing.
    /// </summary>
    /// <exception cref="ArgumentException"><typeparamref name="TEnum"/> is not 4 bytes wide.</exception>
    public static bool TryCreate<TEnum>(
        IReadOnlyList<TEnum> values,
        out CategorySet categories,
        [NotNullWhen(false)] out SignalValidationError? error)
        where TEnum : struct, Enum
    {
        if (Unsafe.SizeOf<TEnum>() != sizeof(int))
        {
            throw new ArgumentException($"{typeof(TEnum).Name} must be an int-backed enum.", nameof(values));
        }

        categories = CategorySet.Empty;
        for (var i = 0; i < values.Count; i++)
        {
            if (!TryAdd(ref categories, Unsafe.BitCast<TEnum, int>(values[i]), i, out error))
            {
                return false;
            }
        }

        return TryComplete(categories, out error);
    }

    private static bool TryAdd(ref CategorySet categories, int value, int position, [NotNullWhen(false)] out SignalValidationError? error)
    {
        if (value is < 1 or > (int)HighestKnown)
        {
            error = new SignalValidationError(SignalValidationRule.CategoriesUnknown, "categories",
                value == 0
                    ? $"category at position {position} is UNSPECIFIED; use one of {KnownNames}"
                    : $"category {value} (at position {position}) is not known to this hub; use one of {KnownNames}");
            return false;
        }

        categories = categories.Add((SignalCategory)value);
        error = null;
        return true;
    }

    private static bool TryComplete(CategorySet categories, [NotNullWhen(false)] out SignalValidationError? error)
    {
        error = categories.IsEmpty
            ? new SignalValidationError(SignalValidationRule.CategoriesEmpty, "categories",
                $"at least one category is required; use one or more of {KnownNames}")
            : null;
        return error is null;
    }
}
