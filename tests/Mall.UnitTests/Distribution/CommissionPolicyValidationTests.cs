using Mall.Application.Distribution;

namespace Mall.UnitTests.Distribution;

public sealed class CommissionPolicyValidationTests
{
    private static readonly CommissionPolicyRequestValidator Validator = new();

    private static CommissionPolicyRequest Request(int l1, int l2, int l3, int cap = 7000) => new(new CommissionRatesRequest(l1, l2, l3), cap, false, null);

    [Fact]
    public void The_seed_defaults_are_valid()
    {
        Assert.True(Validator.Validate(Request(4000, 2000, 1000)).IsValid);
    }

    [Fact]
    public void Levels_together_may_not_exceed_the_cap_and_the_error_names_a_field()
    {
        var result = Validator.Validate(Request(4000, 2000, 1001));

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.PropertyName.EndsWith("level3Bps", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData(-1, 0, 0, 7000)]
    [InlineData(0, 0, 10001, 10000)]
    [InlineData(0, 0, 0, 10001)]
    public void Rates_and_cap_stay_within_0_to_100_percent(int l1, int l2, int l3, int cap)
    {
        Assert.False(Validator.Validate(Request(l1, l2, l3, cap)).IsValid);
    }

    [Fact]
    public void Product_overrides_are_validated_too()
    {
        var request = Request(4000, 2000, 1000) with { ProductRates = new Dictionary<string, CommissionRatesRequest> { ["P1"] = new(9000, 2000, 0) } };

        Assert.False(Validator.Validate(request).IsValid);
    }
}
