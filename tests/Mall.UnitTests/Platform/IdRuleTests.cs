using System.Text.Json;
using FluentValidation;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Mall.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.UnitTests.Platform;

/// <summary>The one id rule, and every id field of every request body held to it by the request's validator.</summary>
public sealed class IdRuleTests
{
    private static readonly string[] BadIds = ["a/b", "a\\b", "a#b", "a?b", "a\u0000b", "a\u001Fb", "a\u007Fb", "a\u009Fb", "a b", "a%2Fb", new string('x', 65)];

    public static TheoryData<IdField> IdFields() => new(RequestContracts.IdFields);

    [Theory]
    [InlineData("P_LONGJING-1")]
    [InlineData("O0123456789ABCDEFGHJK")]
    [InlineData("O0123456789ABCDEFGHJKR1")]
    [InlineData("tea")]
    [InlineData("CT_NEW_USER_PACK")]
    [InlineData("Dx5f8ayo-2d8G7bXmRyRzyCKxQkT0w1lK3QjS3KQG0s")]
    public void Ids_the_mall_issues_pass(string id) => Assert.True(Ids.IsWellFormed(id));

    [Fact]
    public void Ids_with_characters_table_keys_forbid_or_too_long_fail_and_cannot_be_keys()
    {
        foreach (var bad in BadIds)
        {
            Assert.False(Ids.IsWellFormed(bad), bad);
        }

        Assert.True(Ids.IsWellFormed(new string('x', Ids.MaxLength)));
        Assert.All(BadIds.Where(b => b.Length is > 0 and <= Ids.MaxLength && b.Any(c => c is '/' or '\\' or '#' or '?' || char.IsControl(c))), bad => Assert.False(StorageKeys.IsValid(bad)));
    }

    [Fact]
    public void Every_request_with_ids_is_found()
    {
        Assert.Contains(RequestContracts.IdFields, f => f.ToString() == "LoginRequest.inviteCode");
        Assert.Contains(RequestContracts.IdFields, f => f.ToString() == "CheckoutRequest.items[0].skuId");
        Assert.Contains(RequestContracts.IdFields, f => f.ToString() == "PriceRuleRequest.productIds[0]");
    }

    [Theory]
    [MemberData(nameof(IdFields))]
    public async Task Each_id_field_of_each_request_is_refused_by_its_validator_naming_the_field(IdField field)
    {
        var validator = ValidatorFor(field.Request);

        foreach (var bad in BadIds)
        {
            var body = JsonSerializer.Deserialize(field.BodyWith(bad).ToJsonString(), field.Request, MallJson.Options)!;
            var result = await validator.ValidateAsync(new ValidationContext<object>(body));

            Assert.True(result.Errors.Any(e => Api.FieldName(e.PropertyName) == field.Path), $"{field} = {JsonSerializer.Serialize(bad)} was not refused: {string.Join("; ", result.Errors.Select(e => $"{e.PropertyName}: {e.ErrorMessage}"))}");
        }
    }

    private static IValidator ValidatorFor(Type request)
    {
        var validatorType = typeof(Mall.Application.Orders.CheckoutRequestValidator).Assembly.GetTypes()
            .Single(t => !t.IsAbstract && t.BaseType is { IsGenericType: true } b && b.GetGenericTypeDefinition() == typeof(AbstractValidator<>) && b.GetGenericArguments()[0] == request);
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddSingleton(new Mall.Application.Recommendations.RecommendationOptions()).BuildServiceProvider();
        return (IValidator)ActivatorUtilities.CreateInstance(services, validatorType);
    }
}
