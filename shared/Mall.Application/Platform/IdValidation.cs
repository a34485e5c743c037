using FluentValidation;
using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>The API's one id rule (<see cref="Ids.IsWellFormed"/>) for request validators: every id field of a body states it.</summary>
public static class IdValidation
{
    public static IRuleBuilderOptions<T, string?> MustBeAnId<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(id => id is null || Ids.IsWellFormed(id)).WithMessage($"Must be an id: {Ids.Rule}.");
}
