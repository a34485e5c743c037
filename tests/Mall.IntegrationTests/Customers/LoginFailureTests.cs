using Mall.Application.Customers;
using Mall.Domain.Common;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;

namespace Mall.IntegrationTests.Customers;

/// <summary>What a customer is told when jscode2session fails the ways WeChat documents (auth.code2Session).</summary>
public sealed class LoginFailureTests
{
    [Theory]
    [InlineData(WeChatErrorCodes.HighRiskUser, ErrorCode.LoginBlocked)]
    [InlineData(WeChatErrorCodes.RateLimited, ErrorCode.WeChatUnavailable)]
    [InlineData(WeChatErrorCodes.Busy, ErrorCode.WeChatUnavailable)]
    [InlineData(WeChatErrorCodes.InvalidCode, ErrorCode.InvalidLoginCode)]
    public async Task A_failed_code_exchange_answers_a_clear_error(int errCode, ErrorCode expected)
    {
        await using var mall = await MallFixture.StartAsync();
        mall.Environment.Sandbox.InjectFault(MiniProgramApi.Code2Session, SandboxFault.Error(errCode));

        var refused = await Assert.ThrowsAsync<DomainException>(() => mall.Get<CustomerService>().LoginAsync(new LoginRequest("frank#1", null), "192.0.2.10", CancellationToken.None));

        Assert.Equal(expected, refused.Code);
    }

    [Fact]
    public async Task An_expired_wx_login_code_asks_for_a_new_one()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var code = mall.Environment.Sandbox.IssueLoginCode("grace");
        time.Advance(TimeSpan.FromMinutes(6));

        var refused = await Assert.ThrowsAsync<DomainException>(() => mall.Get<CustomerService>().LoginAsync(new LoginRequest(code, null), "192.0.2.11", CancellationToken.None));

        Assert.Equal(ErrorCode.InvalidLoginCode, refused.Code);
    }
}
