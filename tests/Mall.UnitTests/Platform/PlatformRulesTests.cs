using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Infrastructure.Security;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.Platform;

public sealed class PlatformRulesTests
{
    private static string RandomKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    [Theory]
    [InlineData(ErrorCode.OutOfStock, "OUT_OF_STOCK")]
    [InlineData(ErrorCode.ValidationFailed, "VALIDATION_FAILED")]
    [InlineData(ErrorCode.WeChatUnavailable, "WE_CHAT_UNAVAILABLE")]
    public void Error_codes_have_a_stable_wire_form(ErrorCode code, string wire) => Assert.Equal(wire, code.ToWire());

    [Fact]
    public void Derived_ids_are_deterministic_and_valid_out_trade_numbers()
    {
        var id = Ids.Derive("O", "customer", "key-1");

        Assert.Equal(id, Ids.Derive("O", "customer", "key-1"));
        Assert.NotEqual(id, Ids.Derive("O", "customer", "key-2"));
        Assert.Matches("^[A-Za-z0-9_\\-|*]{6,32}$", id);
        Assert.Matches("^[A-Za-z0-9_\\-|*]{6,32}$", Ids.New("O"));
    }

    [Fact]
    public void Iso_week_follows_china_time_not_utc()
    {
        // Sunday 2026-11-29 20:00 UTC is already Monday 2026-11-30 04:00 in China: week 49.
        Assert.Equal("2026-W49", ChinaTime.IsoWeekOf(new DateTimeOffset(2026, 11, 29, 20, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-W48", ChinaTime.IsoWeekOf(new DateTimeOffset(2026, 11, 29, 15, 59, 59, TimeSpan.Zero)));
        Assert.Equal(new DateOnly(2026, 11, 30), ChinaTime.DateOf(new DateTimeOffset(2026, 11, 29, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 11, 29, 16, 0, 0, TimeSpan.Zero), ChinaTime.StartOf(new DateOnly(2026, 11, 30)));
    }

    [Fact]
    public void Tokens_round_trip_and_expire()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
        var tokens = new AccessTokenService(new AuthOptions { SessionSigningKey = RandomKey() }, time);

        var token = tokens.Issue("C1", Roles.Customer, TimeSpan.FromMinutes(10));

        Assert.Equal(("C1", Roles.Customer), (tokens.Validate(token.Token)!.Subject, tokens.Validate(token.Token)!.Role));
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(tokens.Validate(token.Token));
    }

    [Fact]
    public void Tampered_or_foreign_tokens_are_rejected()
    {
        var time = new FakeTimeProvider();
        var tokens = new AccessTokenService(new AuthOptions { SessionSigningKey = RandomKey() }, time);
        var other = new AccessTokenService(new AuthOptions { SessionSigningKey = RandomKey() }, time);
        var token = tokens.Issue("C1", Roles.Customer, TimeSpan.FromHours(1)).Token;
        var admin = other.Issue("C1", Roles.Admin, TimeSpan.FromHours(1)).Token;
        var forgedPayload = admin[..admin.IndexOf('.')] + token[token.IndexOf('.')..];

        Assert.Null(tokens.Validate(admin));
        Assert.Null(tokens.Validate(forgedPayload));
        Assert.Null(tokens.Validate("garbage"));
        Assert.Null(tokens.Validate(token + "x"));
    }

    [Fact]
    public void A_short_signing_key_is_refused_at_start() =>
        Assert.Throws<InvalidOperationException>(() => new AccessTokenService(new AuthOptions { SessionSigningKey = Convert.ToBase64String(new byte[16]) }, TimeProvider.System));

    [Fact]
    public void Password_hashes_verify_only_the_right_password()
    {
        var hash = PasswordHashing.Hash("correct horse");

        Assert.True(PasswordHashing.Verify("correct horse", hash));
        Assert.False(PasswordHashing.Verify("correct horsE", hash));
        Assert.False(PasswordHashing.Verify("correct horse", "not-a-hash"));
        Assert.NotEqual(hash, PasswordHashing.Hash("correct horse"));
    }

    [Fact]
    public void Personal_data_is_encrypted_with_a_named_key_and_survives_rotation()
    {
        var oldKey = RandomKey();
        var before = new AesGcmFieldProtector(new DataProtectionOptions { DataProtectionKey = oldKey });
        var protectedPhone = before.Protect("13812345678");
        var rotated = new AesGcmFieldProtector(new DataProtectionOptions { DataProtectionKey = RandomKey(), PreviousDataProtectionKeys = { oldKey } });

        Assert.DoesNotContain("13812345678", protectedPhone);
        Assert.Equal("13812345678", rotated.Unprotect(protectedPhone));
        Assert.NotEqual(protectedPhone, before.Protect("13812345678"));
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => new AesGcmFieldProtector(new DataProtectionOptions { DataProtectionKey = RandomKey() }).Unprotect(protectedPhone));
    }

    [Fact]
    public void Masking_hides_the_middle_of_phones_all_but_the_first_character_of_names_and_the_street_numbers()
    {
        Assert.Equal("138****5678", PersonalData.MaskPhone("13812345678"));
        Assert.Equal("张**", PersonalData.MaskName("张三丰"));
        Assert.Equal("龙井*****", PersonalData.MaskAddressLine("龙井路 1 号"));
        Assert.Equal("**", PersonalData.MaskAddressLine("1号"));
    }

    [Fact]
    public void The_sample_settings_placeholders_are_refused_outside_development()
    {
        var sample = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("LOCAL-ONLY-session-signing-key-00"));

        ValidateOptionsResult Check(string environment, string value) =>
            new SettingChecks(AuthOptions.SectionName).NoLocalOnlyValue(new MallEnvironment(environment), value, nameof(AuthOptions.SessionSigningKey)).Result();

        Assert.True(Check("Development", sample).Succeeded);
        Assert.Contains("Auth:SessionSigningKey still holds the local sample value", Check("Production", sample).FailureMessage, StringComparison.Ordinal);
        Assert.True(Check("Production", RandomKey()).Succeeded);
    }

    [Theory]
    [InlineData("OrderExpiry|", "OrderExpiry}")]
    [InlineData("abc", "abd")]
    public void Prefix_upper_bound_is_the_next_string_after_every_match(string prefix, string bound) =>
        Assert.Equal(bound, TableFilters.PrefixUpperBound(prefix));
}
