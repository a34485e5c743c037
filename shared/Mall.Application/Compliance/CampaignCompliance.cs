using System.Globalization;
using System.Text.Json;
using Mall.Application.Catalog;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Compliance;

namespace Mall.Application.Compliance;

public sealed class ComplianceOptions
{
    public const string SectionName = "Compliance";

    /// <summary>
    /// The most of an order the configured payout channel lets commissions take, in basis points: WeChat
    /// Pay profit sharing (分账) allows 30% by default. A policy paying more is saved with a warning.
    /// </summary>
    public int PayoutChannelCapBps { get; set; } = 3_000;
}

/// <summary>How a check came out: saved without a finding, saved with warnings, or refused (nothing saved).</summary>
public enum ComplianceOutcome
{
    Saved,
    Warned,
    Refused,
}

/// <summary>
/// One compliance check as recorded for the monthly report: inserted once under its check id in the
/// partition of its CST month, never changed. Bounded: the codes are distinct rule codes (a handful), the
/// findings the first <see cref="CampaignCompliance.MaxFindingsKept"/>.
/// </summary>
public sealed record ComplianceCheck
{
    public required string CheckId { get; init; }

    public required DateTimeOffset CheckedAt { get; init; }

    public required CampaignMechanic Mechanic { get; init; }

    public string? CampaignId { get; init; }

    public string? OperatorId { get; init; }

    public required ComplianceOutcome Outcome { get; init; }

    /// <summary>The rules that refused it, each once.</summary>
    public IReadOnlyList<string> RefusedBy { get; init; } = [];

    /// <summary>The rules that warned about it, each once.</summary>
    public IReadOnlyList<string> WarnedBy { get; init; } = [];

    public IReadOnlyList<ComplianceFinding> Findings { get; init; } = [];

    public int FindingCount { get; init; }
}

/// <summary>
/// The one compliance check every campaign save calls after validating the request's shape and before
/// storing anything: <see cref="CheckAsync(CampaignTerms, string?, CancellationToken)"/> returns the
/// warnings for the response or throws <see cref="ComplianceRefusedException"/> (COMPLIANCE_REFUSED, 422).
/// Every check is recorded for the operators' monthly compliance review (seed 八: 每月进行合规审查).
/// </summary>
public sealed class CampaignCompliance(IDocumentCollection<ComplianceCheck> checks, ComplianceOptions options, CatalogOptions catalog, TimeProvider time)
{
    /// <summary>Findings kept per recorded check and listed per refused problem; the rest are counted.</summary>
    public const int MaxFindingsKept = 20;

    /// <summary>Refused and warned saves the report lists, newest first.</summary>
    public const int MaxListed = 200;

    /// <summary>The month-partition rows one page of the report reads.</summary>
    private const int PageSize = 1000;

    public ComplianceSettings Settings => new(options.PayoutChannelCapBps, catalog.ReferenceLookback);

    /// <summary>Checks a save that has no natural key (a fresh id per call: a retried request is counted again).</summary>
    public Task<IReadOnlyList<ComplianceFinding>> CheckAsync(CampaignTerms terms, string? operatorId, CancellationToken cancellationToken) =>
        CheckAsync(terms, operatorId, Ids.New("CC"), cancellationToken);

    /// <summary>
    /// Checks a save under a check id derived from its Idempotency-Key (or another operation id), so a
    /// retried save is recorded once.
    /// </summary>
    public async Task<IReadOnlyList<ComplianceFinding>> CheckAsync(CampaignTerms terms, string? operatorId, string checkId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var now = time.GetUtcNow();
        var verdict = ComplianceRules.Check(terms, Settings, now);
        var findings = verdict.Refusals.Concat(verdict.Warnings).ToList();
        var check = new ComplianceCheck
        {
            CheckId = checkId,
            CheckedAt = now,
            Mechanic = terms.Mechanic,
            CampaignId = terms.CampaignId,
            OperatorId = operatorId,
            Outcome = verdict.Refused ? ComplianceOutcome.Refused : verdict.Warnings.Count > 0 ? ComplianceOutcome.Warned : ComplianceOutcome.Saved,
            RefusedBy = verdict.Refusals.Select(f => f.Code).Distinct().ToList(),
            WarnedBy = verdict.Warnings.Select(f => f.Code).Distinct().ToList(),
            Findings = findings.Take(MaxFindingsKept).ToList(),
            FindingCount = findings.Count,
        };
        try
        {
            await checks.InsertAsync(new DocumentKey(MonthKey(ChinaTime.DateOf(now)), checkId), check, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // A retry of a check already recorded: counted once.
        }

        if (verdict.Refused)
        {
            throw Refusal(verdict);
        }

        return verdict.Warnings;
    }

    /// <summary>The refusal of a verdict, for a save that re-checks its terms inside a guarded write.</summary>
    public static ComplianceRefusedException Refusal(ComplianceVerdict verdict) =>
        new(verdict.Refusals.Take(MaxFindingsKept).ToList());

    /// <summary>
    /// The month's checks (a CST month): counts by outcome, by rule and by mechanic, and the refused and
    /// warned saves, newest first (at most <see cref="MaxListed"/>). Reads the month's partition page by page.
    /// </summary>
    public async Task<ComplianceReport> ReportAsync(int year, int month, CancellationToken cancellationToken)
    {
        var outcomes = new Dictionary<ComplianceOutcome, int>();
        var rules = new SortedDictionary<string, RuleCount>(StringComparer.Ordinal);
        var mechanics = new SortedDictionary<string, MechanicCount>(StringComparer.Ordinal);
        var listed = new PriorityQueue<ComplianceCheck, DateTimeOffset>();
        var total = 0;
        await foreach (var row in checks.ScanAsync(new DocumentQuery { PartitionKey = MonthKey(new DateOnly(year, month, 1)) }, PageSize, cancellationToken))
        {
            var check = row.Value;
            total++;
            outcomes[check.Outcome] = outcomes.GetValueOrDefault(check.Outcome) + 1;
            foreach (var code in check.RefusedBy)
            {
                var counted = rules.GetValueOrDefault(code, new RuleCount(0, 0));
                rules[code] = counted with { Refused = counted.Refused + 1 };
            }

            foreach (var code in check.WarnedBy)
            {
                var counted = rules.GetValueOrDefault(code, new RuleCount(0, 0));
                rules[code] = counted with { Warned = counted.Warned + 1 };
            }

            var mechanic = JsonNamingPolicy.CamelCase.ConvertName(check.Mechanic.ToString());
            var counts = mechanics.GetValueOrDefault(mechanic, new MechanicCount(0, 0, 0));
            mechanics[mechanic] = check.Outcome switch
            {
                ComplianceOutcome.Refused => counts with { Refused = counts.Refused + 1 },
                ComplianceOutcome.Warned => counts with { Warned = counts.Warned + 1 },
                _ => counts with { Saved = counts.Saved + 1 },
            };

            if (check.Outcome != ComplianceOutcome.Saved)
            {
                // Keeps the newest: the queue's head is the oldest kept.
                listed.Enqueue(check, check.CheckedAt);
                if (listed.Count > MaxListed)
                {
                    listed.Dequeue();
                }
            }
        }

        var findings = listed.UnorderedItems.Select(i => i.Element).OrderByDescending(c => c.CheckedAt).ThenBy(c => c.CheckId, StringComparer.Ordinal).ToList();
        return new ComplianceReport(
            string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}"),
            total,
            outcomes.GetValueOrDefault(ComplianceOutcome.Saved),
            outcomes.GetValueOrDefault(ComplianceOutcome.Warned),
            outcomes.GetValueOrDefault(ComplianceOutcome.Refused),
            rules,
            mechanics,
            findings,
            outcomes.GetValueOrDefault(ComplianceOutcome.Warned) + outcomes.GetValueOrDefault(ComplianceOutcome.Refused) > findings.Count,
            options.PayoutChannelCapBps);
    }

    private static string MonthKey(DateOnly cstDate) => cstDate.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}

/// <summary>How many checks of the month a rule refused and warned about.</summary>
public sealed record RuleCount(int Refused, int Warned);

/// <summary>How the month's checks of one mechanic (named as in requests: priceRule, distributionPolicy…) came out.</summary>
public sealed record MechanicCount(int Saved, int Warned, int Refused);

/// <param name="Saved">Saved without a finding; <paramref name="Warned"/> were saved too, with warnings.</param>
/// <param name="Listed">The refused and warned checks, newest first; <paramref name="ListTruncated"/>: there were more.</param>
public sealed record ComplianceReport(
    string Month,
    int Checks,
    int Saved,
    int Warned,
    int Refused,
    IReadOnlyDictionary<string, RuleCount> ByRule,
    IReadOnlyDictionary<string, MechanicCount> ByMechanic,
    IReadOnlyList<ComplianceCheck> Listed,
    bool ListTruncated,
    int PayoutChannelCapBps);
