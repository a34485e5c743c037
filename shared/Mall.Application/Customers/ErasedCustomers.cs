using Mall.Application.Platform;

namespace Mall.Application.Customers;

/// <summary>An erased account, marked before anything of it is erased.</summary>
public sealed record CustomerErasure(string CustomerId, DateTimeOffset ErasedAt);

/// <summary>
/// The accounts erased so far. Session tokens are stateless, so this is how an erased account's tokens stop
/// working: every customer request asks (one point read), and so does every login that finds a customer
/// through the openid mapping, which is trusted only for a customer not erased.
/// </summary>
public sealed class ErasedCustomers(IDocumentCollection<CustomerErasure> erasures)
{
    public async Task<bool> IsErasedAsync(string customerId, CancellationToken cancellationToken) =>
        await erasures.FindAsync(DocumentKey.Single(customerId), cancellationToken) is not null;

    /// <summary>Marks the account erased; a repeat keeps the first mark.</summary>
    public async Task MarkAsync(string customerId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await erasures.InsertAsync(DocumentKey.Single(customerId), new CustomerErasure(customerId, now), [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Marked by an earlier request (or the backstop of one that stopped halfway).
        }
    }
}
