using System.Net.Http.Json;
using Mall.Application.WeChat;
using Mall.WeChat.MiniProgram;
using Mall.WeChat.Sandbox;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.WeChat;

/// <summary>
/// getPhoneNumber through the mall's adapter against the sandbox, as WeChat documents it
/// (developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html): each code
/// once, for 5 minutes, and the sandbox failing the ways WeChat does. Each test has its own sandbox and clock.
/// </summary>
public sealed class PhoneNumberTests : IAsyncLifetime
{
    private readonly FakeTimeProvider time = new(DateTimeOffset.UtcNow);
    private WeChatSandbox sandbox = null!;
    private MallSide mall = null!;

    public async Task InitializeAsync()
    {
        sandbox = await WeChatSandbox.StartAsync(SandboxFixture.Options with { TimeProvider = time }, CancellationToken.None);
        mall = await MallSide.StartAsync(sandbox);
    }

    public async Task DisposeAsync()
    {
        await mall.DisposeAsync();
        await sandbox.DisposeAsync();
    }

    [Fact]
    public async Task A_phone_code_gives_the_number_once_and_the_number_is_never_printed()
    {
        var code = sandbox.IssuePhoneCode("alice", "13912345678");

        var phone = await mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None);
        var reused = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None));

        Assert.Equal(("13912345678", "86"), (phone.PhoneNumber, phone.CountryCode));
        Assert.DoesNotContain("13912345678", phone.ToString(), StringComparison.Ordinal);
        Assert.Equal((WeChatFailure.InvalidLoginCode, "40029"), (reused.Failure, reused.ErrorCode));
    }

    [Fact]
    public async Task A_phone_code_expires_after_five_minutes_and_an_unknown_one_was_never_valid()
    {
        var fresh = sandbox.IssuePhoneCode("bob", "13700001111");
        var stale = sandbox.IssuePhoneCode("bob", "13700001111");
        time.Advance(TimeSpan.FromMinutes(4));
        await mall.MiniProgram.GetPhoneNumberAsync(fresh, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(2));

        var expired = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync(stale, CancellationToken.None));
        var unknown = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync("never-issued", CancellationToken.None));

        Assert.Equal(WeChatFailure.InvalidLoginCode, expired.Failure);
        Assert.Equal(WeChatFailure.InvalidLoginCode, unknown.Failure);
    }

    [Theory]
    [InlineData(WeChatErrorCodes.Busy, WeChatFailure.Unavailable)]
    [InlineData(WeChatErrorCodes.RateLimited, WeChatFailure.Unavailable)]
    [InlineData(40013, WeChatFailure.Rejected)]
    public async Task An_errcode_answered_instead_of_the_number_leaves_the_code_unused(int errCode, WeChatFailure expected)
    {
        var code = sandbox.IssuePhoneCode("carol", "13912345678");
        sandbox.InjectFault(MiniProgramApi.GetPhoneNumber, SandboxFault.Error(errCode));

        var failed = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None));

        Assert.Equal((expected, false), (failed.Failure, failed.OutcomeUnknown));
        Assert.Equal("13912345678", (await mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None)).PhoneNumber);
    }

    [Fact]
    public async Task A_lost_answer_may_have_taken_the_code()
    {
        var code = sandbox.IssuePhoneCode("dave", "13912345678");
        sandbox.InjectFault(MiniProgramApi.GetPhoneNumber, SandboxFault.AnswerLost);

        var lost = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None));
        var after = await Assert.ThrowsAsync<WeChatException>(() => mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None));

        Assert.Equal((WeChatFailure.Unavailable, true), (lost.Failure, lost.OutcomeUnknown));
        Assert.Equal(WeChatFailure.InvalidLoginCode, after.Failure);
    }

    [Fact]
    public async Task A_rotated_access_token_is_refreshed_once_and_the_number_still_comes()
    {
        await mall.MiniProgram.GetPhoneNumberAsync(sandbox.IssuePhoneCode("erin", "13912345678"), CancellationToken.None);
        sandbox.RotateAccessToken();

        var phone = await mall.MiniProgram.GetPhoneNumberAsync(sandbox.IssuePhoneCode("erin", "13912345678"), CancellationToken.None);

        Assert.Equal("13912345678", phone.PhoneNumber);
    }

    [Fact]
    public async Task A_developer_gets_phone_codes_over_http_and_a_number_outside_mainland_china_keeps_its_country_code()
    {
        using var http = new HttpClient { BaseAddress = sandbox.BaseAddress };
        using var issued = await http.PostAsJsonAsync("/sandbox/phone-codes", new { user = "frank", phoneNumber = "61234567", countryCode = "852" });
        using var refused = await http.PostAsJsonAsync("/sandbox/phone-codes", new { user = "frank", phoneNumber = "not digits" });
        var code = (await issued.Content.ReadFromJsonAsync<Dictionary<string, string>>())!["code"];

        var phone = await mall.MiniProgram.GetPhoneNumberAsync(code, CancellationToken.None);

        Assert.Equal(("+85261234567", "852"), (phone.PhoneNumber, phone.CountryCode));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, refused.StatusCode);
    }
}
