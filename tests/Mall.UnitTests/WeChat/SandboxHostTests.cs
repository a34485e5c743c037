using System.Text.Json;
using Mall.WeChat.Sandbox;

namespace Mall.UnitTests.WeChat;

/// <summary>The sandbox's keys and the settings file it writes for the mall.</summary>
public sealed class SandboxHostTests : IDisposable
{
    private readonly string stateDirectory = Path.Combine(Path.GetTempPath(), "wechat-sandbox-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(stateDirectory, recursive: true);

    [Fact]
    public async Task Keys_are_generated_once_into_the_state_directory_and_reused()
    {
        var options = new WeChatSandboxOptions { StateDirectory = stateDirectory };

        IReadOnlyDictionary<string, string> first;
        await using (var sandbox = await WeChatSandbox.StartAsync(options, CancellationToken.None))
        {
            first = sandbox.MallSettings;
        }

        await using var restarted = await WeChatSandbox.StartAsync(options, CancellationToken.None);

        foreach (var key in new[] { "WeChatPay:MerchantPrivateKey", "WeChatPay:MerchantSerialNo", "WeChatPay:ApiV3Key", "WeChatPay:PlatformCertificates:0", "WeChatPay:PublicKeys:0:Id", "WeChatPay:PublicKeys:0:Pem" })
        {
            Assert.Equal(first[key], restarted.MallSettings[key]);
        }

        Assert.Equal(32, first["WeChatPay:ApiV3Key"].Length);
        Assert.StartsWith("PUB_KEY_ID_", first["WeChatPay:PublicKeys:0:Id"], StringComparison.Ordinal);
        Assert.Equal(restarted.BaseAddress.GetLeftPart(UriPartial.Authority), restarted.MallSettings["WeChatPay:BaseUrl"]);
        Assert.Equal("127.0.0.1", restarted.BaseAddress.Host);
    }

    [Fact]
    public async Task The_mall_settings_file_has_the_local_settings_shape()
    {
        await using var sandbox = await WeChatSandbox.StartAsync(new WeChatSandboxOptions { StateDirectory = stateDirectory }, CancellationToken.None);
        var path = Path.Combine(stateDirectory, "out", "mall.settings.json");

        sandbox.WriteMallSettingsFile(path);

        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.False(document.RootElement.GetProperty("IsEncrypted").GetBoolean());
        var values = document.RootElement.GetProperty("Values");
        Assert.Equal(sandbox.MallSettings.Count, values.EnumerateObject().Count());
        Assert.Equal(sandbox.MallSettings["WeChatPay:PublicKeys:0:Pem"], values.GetProperty("WeChatPay__PublicKeys__0__Pem").GetString());
        Assert.Equal(sandbox.MallSettings["WeChat:AppId"], values.GetProperty("WeChat__AppId").GetString());
    }
}
