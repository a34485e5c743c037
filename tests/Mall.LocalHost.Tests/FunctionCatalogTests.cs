using Mall.LocalHost.Engine;
using Microsoft.Extensions.Configuration;

namespace Mall.LocalHost.Tests;

public sealed class FunctionCatalogTests
{
    private static readonly IConfiguration Empty = new ConfigurationBuilder().Build();

    [Fact]
    public void The_mall_functions_are_all_runnable()
    {
        var functions = FunctionCatalog.Discover([typeof(Mall.Functions.MallFunctionsServices).Assembly], Empty);

        Assert.Contains(functions, f => f is { Name: "Orders_Create", Trigger: TriggerKind.Http, Route: "orders" } && f.HttpMethods.SequenceEqual(["POST"]));
        Assert.Contains(functions, f => f is { Name: "Orders_ProcessDeadlines", Trigger: TriggerKind.Timer, Schedule: "0 * * * * *" });
    }

    [Fact]
    public void Orchestrations_take_their_input_type_from_the_extra_parameter()
    {
        var functions = FunctionCatalog.Discover([typeof(SampleDurableFunctions)], Empty);

        Assert.Equal(typeof(Greeting), functions.Single(f => f.Name == "Sample_Greeting").InputType);
        Assert.Equal(typeof(string), functions.Single(f => f.Name == "Sample_SayHello").InputType);
    }

    [Theory]
    [InlineData(typeof(UnsupportedFunctions.EntityFunction), "Bad_Entity", "trigger EntityTrigger is not supported")]
    [InlineData(typeof(UnsupportedFunctions.RequestDataFunction), "Bad_RequestData", "must be Microsoft.AspNetCore.Http.HttpRequest")]
    [InlineData(typeof(UnsupportedFunctions.UnboundParameterFunction), "Bad_Parameter", "parameter 'itemId' (String) cannot be bound")]
    [InlineData(typeof(UnsupportedFunctions.MissingSettingFunction), "Bad_Setting", "setting 'NotConfigured'")]
    [InlineData(typeof(UnsupportedFunctions.FiveFieldCronFunction), "Bad_Cron", "is not a 6-field CRON expression")]
    [InlineData(typeof(UnsupportedFunctions.TwoFunctionsOneName), "Same_Name", "used by 2 methods")]
    public void Unsupported_shapes_are_refused_with_the_function_and_the_reason(Type functionClass, string name, string reason)
    {
        var exception = Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Discover([functionClass], Empty));

        Assert.Contains(name, exception.Message, StringComparison.Ordinal);
        Assert.Contains(reason, exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var exception = Assert.Throws<UnsupportedFunctionException>(() => FunctionCatalog.Discover(
            [typeof(UnsupportedFunctions.EntityFunction), typeof(UnsupportedFunctions.FiveFieldCronFunction), typeof(SampleTimerFunctions)],
            Empty));

        Assert.Contains("Bad_Entity", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Bad_Cron", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Sample_EverySecond", exception.Message, StringComparison.Ordinal); // %SampleSchedule% is not configured here
    }
}
