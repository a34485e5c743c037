using Mall.Domain.Common;

namespace Mall.Application.Platform;

/// <summary>One operator read of personal data unmasked: who, what of whom, when and why.</summary>
/// <param name="What">What was read, e.g. "order recipient".</param>
/// <param name="SubjectId">The record read (an order id).</param>
/// <param name="CustomerId">Whose data it is.</param>
/// <param name="Fields">The fields shown unmasked.</param>
/// <param name="Reason">Why, as the operator gave it (?reason=), if they did.</param>
public sealed record PersonalDataAccess(string Id, string OperatorId, string What, string SubjectId, string CustomerId, IReadOnlyList<string> Fields, string? Reason, DateTimeOffset At);

/// <summary>
/// The audit trail of operator reads of unmasked personal data (PIPL: access to personal information is
/// recorded). Append-only: every read is a conditional insert of its own entry, written before the data is
/// returned (no entry, no data), and nothing updates or deletes entries. Listed newest first.
/// </summary>
public sealed class PersonalDataAudit(IDocumentCollection<PersonalDataAccess> entries, TimeProvider time)
{
    public const int MaxReasonLength = 200;

    // One partition, newest first by row key: operator reads are few, and one query pages through them all.
    private const string Partition = "personal-data";

    public async Task RecordAsync(string operatorId, string what, string subjectId, string customerId, IReadOnlyList<string> fields, string? reason, CancellationToken cancellationToken)
    {
        if (reason?.Length > MaxReasonLength)
        {
            throw DomainException.Validation("reason", $"Give the reason in at most {MaxReasonLength} characters.");
        }

        var at = time.GetUtcNow();
        var entry = new PersonalDataAccess(Ids.New("PDA"), operatorId, what, subjectId, customerId, fields, string.IsNullOrWhiteSpace(reason) ? null : reason, at);
        await entries.InsertAsync(new DocumentKey(Partition, $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{entry.Id}"), entry, [], cancellationToken);
    }

    public async Task<ResultPage<PersonalDataAccess>> ListAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await entries.QueryAsync(new DocumentQuery { PartitionKey = Partition }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<PersonalDataAccess>(page.Items.Select(e => e.Value).ToList(), page.ContinuationToken);
    }
}
