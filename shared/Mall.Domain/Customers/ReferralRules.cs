using System.Security.Cryptography;
using System.Text;

namespace Mall.Domain.Customers;

/// <summary>
/// The referral tree behind three-tier distribution. A customer is bound to an inviter once, when
/// they first log in, and never re-bound (compliance). At most three levels are ever kept: deeper
/// commission chains are illegal multi-level marketing in China.
/// </summary>
public static class ReferralRules
{
    public const int MaxDepth = 3;

    private const string InviteAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"; // no 0/O, 1/I: codes get typed by hand

    /// <summary>The referrer chain for a new customer invited by <paramref name="inviter"/>.</summary>
    /// <exception cref="InvalidOperationException">The binding would refer a customer to themselves or form a cycle.</exception>
    public static IReadOnlyList<string> ReferrersFor(string customerId, Customer inviter)
    {
        if (inviter.Id == customerId || inviter.Referrers.Contains(customerId))
        {
            throw new InvalidOperationException("A customer cannot be referred by themselves or by their own referrals.");
        }

        return [inviter.Id, .. inviter.Referrers.Take(MaxDepth - 1)];
    }

    /// <summary>
    /// A customer's invite code: derived from their id, 10 characters (50 bits, so collisions stay
    /// negligible for millions of customers); <paramref name="attempt"/> > 0 picks another on collision.
    /// </summary>
    public static string InviteCodeFor(string customerId, int attempt = 0)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"invite:{customerId}:{attempt}"));
        var code = new char[10];
        for (var i = 0; i < code.Length; i++)
        {
            code[i] = InviteAlphabet[hash[i] % InviteAlphabet.Length];
        }

        return new string(code);
    }

    public static string NormalizeInviteCode(string code) => code.Trim().ToUpperInvariant();
}
