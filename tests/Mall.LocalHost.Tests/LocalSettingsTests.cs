using Mall.LocalHost.Engine;
using Microsoft.Extensions.Configuration;

namespace Mall.LocalHost.Tests;

public sealed class LocalSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("mall-settings-").FullName;

    [Fact]
    public void Values_become_configuration_with_double_underscores_as_sections_and_later_files_win()
    {
        var first = Write("a.json", """{ "IsEncrypted": false, "Values": { "Orders__UnpaidTimeoutMinutes": "30", "Plain": "x" } }""");
        var second = Write("b.json", """{ "Values": { "Orders__UnpaidTimeoutMinutes": "5" } }""");

        var configuration = new ConfigurationBuilder().AddLocalSettingsFile(first).AddLocalSettingsFile(second).Build();

        Assert.Equal("5", configuration["Orders:UnpaidTimeoutMinutes"]);
        Assert.Equal("x", configuration["Plain"]);
    }

    [Fact]
    public void A_file_without_values_or_a_missing_file_is_an_error_naming_the_file()
    {
        var noValues = Write("c.json", """{ "Host": {} }""");

        Assert.Contains("c.json", Assert.Throws<InvalidDataException>(() => new ConfigurationBuilder().AddLocalSettingsFile(noValues)).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => new ConfigurationBuilder().AddLocalSettingsFile(Path.Combine(directory, "missing.json")));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string name, string content)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
