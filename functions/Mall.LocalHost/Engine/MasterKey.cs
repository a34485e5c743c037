using System.Security.Cryptography;
using System.Text;

namespace Mall.LocalHost.Engine;

/// <summary>
/// The host's master key: the admin API needs it, and so does any HTTP function whose authLevel is not
/// Anonymous (Azure also accepts function and host keys there; the local host has only this one).
/// </summary>
public sealed class MasterKey(string value)
{
    public string Value { get; } = value;

    public static string Generate() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The x-functions-key header, or else the code query parameter (src/WebJobs.Script.WebHost/Security/
    /// Authentication/Keys/AuthenticationLevelHandler.cs, GetAuthorizationKeyInfoAsync).
    /// </summary>
    public bool IsPresentedBy(HttpRequest request)
    {
        var presented = request.Headers.TryGetValue("x-functions-key", out var header) ? header.ToString()
            : request.Query.TryGetValue("code", out var code) ? code.ToString()
            : string.Empty;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(Value));
    }
}
