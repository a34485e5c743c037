namespace Mall.Soak;

/// <summary>A virtual customer: a WeChat user logged in through the sandbox, from a phone (client address) of its own.</summary>
public sealed class SoakCustomer(MallClient client) : IDisposable
{
    public MallClient Client => client;

    public int Journeys { get; set; }

    /// <summary>
    /// Logs in with a one-time sandbox code ("user#n"); a login whose answer was lost used its code, so a
    /// retry takes the next one — the same WeChat user (openid) either way.
    /// </summary>
    public static async Task<SoakCustomer> LoginAsync(SoakMall mall, SoakStats stats, string user, int number, string? inviteCode, CancellationToken cancellationToken)
    {
        var client = mall.Client(stats, $"10.{(number >> 16) & 255}.{(number >> 8) & 255}.{number & 255}");
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            var login = await client.PostAsync("auth/login", new { code = $"{user}#{attempt}", inviteCode }, cancellationToken);
            if (login.Ok)
            {
                client.Authorize(login.Body.GetProperty("token").GetString()!);
                return new SoakCustomer(client);
            }

            stats.Error($"login {(int)login.Status} {login.Code}");
        }

        client.Dispose();
        throw new SoakRequestException($"{user} could not log in.");
    }

    public void Dispose() => client.Dispose();
}
