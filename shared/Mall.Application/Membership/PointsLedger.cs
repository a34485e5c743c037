using Mall.Application.Platform;
using Mall.Domain.Customers;

namespace Mall.Application.Membership;

/// <summary>
/// The points ledger: one line per points change, kept for good, keyed by the change's key. A change
/// is written to the customer's balance first (pending there), then settled here; the ledger is how a
/// change is recognised once it has left the customer. Each PointsChanged is recorded too, as a
/// backstop for a settle cut short.
/// </summary>
public sealed class PointsLedger(IDocumentCollection<PointsEntry> entries) : IEventHandler<PointsChanged>
{
    public Task HandleAsync(PointsChanged changed, EventContext context, CancellationToken cancellationToken) =>
        RecordAsync(new PointsEntry(changed.CustomerId, changed.Key, changed.OrderId, changed.Points, changed.OccurredAt), cancellationToken);

    /// <summary>Adds the line unless it is there already.</summary>
    public async Task RecordAsync(PointsEntry entry, CancellationToken cancellationToken)
    {
        try
        {
            await entries.InsertAsync(KeyOf(entry.CustomerId, entry.Key), entry, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier attempt, or by the settle of the same change.
        }
    }

    /// <summary>
    /// Which of <paramref name="keys"/>, taken in order, the ledger holds; reading stops at the first key
    /// neither pending on the customer nor in the ledger (later steps cannot exist without it). Read after
    /// the customer, so a conditional write of that customer proves nothing settled in between.
    /// </summary>
    public async Task<IReadOnlySet<string>> SettledAsync(Customer customer, IEnumerable<string> keys, CancellationToken cancellationToken)
    {
        var settled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (customer.IsPointsChangePending(key))
            {
                continue;
            }

            if (await entries.FindAsync(KeyOf(customer.Id, key), cancellationToken) is null)
            {
                break;
            }

            settled.Add(key);
        }

        return settled;
    }

    /// <summary>The first <paramref name="pageSize"/> lines of the customer's ledger, and the token of the rest.</summary>
    public async Task<ResultPage<PointsEntry>> LinesAsync(string customerId, int pageSize, CancellationToken cancellationToken)
    {
        var page = await entries.QueryAsync(new DocumentQuery { PartitionKey = customerId }, null, pageSize, cancellationToken);
        return new ResultPage<PointsEntry>(page.Items.Select(e => e.Value).ToList(), page.ContinuationToken);
    }

    // The key holds '#' ("O1|redeemed#2"), which Table Storage does not allow in keys.
    private static DocumentKey KeyOf(string customerId, string key) => new(customerId, StorageKeys.Escape(key));
}
