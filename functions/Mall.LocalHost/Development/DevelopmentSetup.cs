using System.Security.Cryptography;
using Mall.Application.Platform;

namespace Mall.LocalHost.Development;

/// <summary>
/// Per-machine development state kept in the dev directory (.local/ by default, git-ignored): the
/// operator password is generated on first run, stored there, and only its hash goes into configuration.
/// </summary>
public static class DevelopmentSetup
{
    public const string AdminUser = "admin";

    public static (string Password, IReadOnlyDictionary<string, string?> Settings) PrepareAdmin(string directory)
    {
        Directory.CreateDirectory(directory);
        var passwordFile = Path.Combine(directory, "admin-password.txt");
        if (!File.Exists(passwordFile))
        {
            File.WriteAllText(passwordFile, Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y'));
        }

        var password = File.ReadAllText(passwordFile).Trim();
        return (password, new Dictionary<string, string?>
        {
            ["Admin:Users:0:Name"] = AdminUser,
            ["Admin:Users:0:PasswordHash"] = PasswordHashing.Hash(password),
        });
    }
}
