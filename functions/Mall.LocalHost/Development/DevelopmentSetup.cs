using System.Security.Cryptography;
using Mall.Application.Platform;
using Mall.LocalHost.Engine;

namespace Mall.LocalHost.Development;

/// <summary>
/// Per-machine development state kept in the dev directory (.local/ by default, git-ignored): the
/// operator password and the host's master key are generated on first run and stored there; only the
/// password's hash goes into configuration.
/// </summary>
public static class DevelopmentSetup
{
    public const string AdminUser = "admin";

    public const string MasterKeyFile = "master-key.txt";

    public const string AdminPasswordFile = "admin-password.txt";

    public static (string Password, IReadOnlyDictionary<string, string?> Settings) PrepareAdmin(string directory)
    {
        var password = ReadOrCreate(directory, AdminPasswordFile, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y'));
        return (password, new Dictionary<string, string?>
        {
            ["Admin:Users:0:Name"] = AdminUser,
            ["Admin:Users:0:PasswordHash"] = PasswordHashing.Hash(password),
        });
    }

    /// <summary>The admin API's key, kept in <see cref="MasterKeyFile"/> so curl commands can read it.</summary>
    public static string PrepareMasterKey(string directory) => ReadOrCreate(directory, MasterKeyFile, MasterKey.Generate);

    private static string ReadOrCreate(string directory, string fileName, Func<string> create)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, fileName);
        if (!File.Exists(path))
        {
            File.WriteAllText(path, create());
        }

        return File.ReadAllText(path).Trim();
    }
}
