namespace Mall.Application.Platform;

/// <summary>Encrypts personal data and secrets at rest (phone numbers, addresses, WeChat session keys).</summary>
public interface IFieldProtector
{
    string Protect(string plaintext);

    string Unprotect(string protectedValue);
}
