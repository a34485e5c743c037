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
/// The one compliance check every campaign save goes through after validating the request's shape and before
/// storing anything: <see cref="SaveAsync{T}(CampaignTerms, string?, Func{Task{T}}, CancellationToken)"/> runs the save
/// with the warnings for the response, or throws <see cref="ComplianceRefusedException"/> (COMPLIANCE_REFUSED, 422)
/// and saves nothing. Every refusal and every save is recorded for the operators' monthly compliance review
/// (seed 八: 每月进行合规审查).
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

    /// <summary>A save that has no natural key (a fresh check id per call: a retried request is counted again).</summary>
    public Task<CheckedSave<T>> SaveAsync<T>(CampaignTerms terms, string? operatorId, Func<Task<T>> save, CancellationToken cancellationToken) =>
        SaveAsync(terms, operatorId, Ids.New("CC"), save, cancellationToken);

    /// <summary>
    /// Checks the terms, then runs <paramref name="save"/> unless they are refused, and records the check for the
    /// report: a refusal at once (then throws it), a save once it succeeded — a save its service refuses (invalid,
    /// not found, a conflict) was never saved, so it is not reported as saved. <paramref name="checkId"/> comes from
    /// the save's Idempotency-Key (or another operation id) when it has one, so a retried save is recorded once.
    /// </summary>
    public async Task<CheckedSave<T>> SaveAsync<T>(CampaignTerms terms, string? operatorId, string checkId, Func<Task<T>> save, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(save);
        var verdict = ComplianceRules.Check(terms, Settings, time.GetUtcNow());
        if (verdict.Refused)
        {
            await RecordAsync(terms, operatorId, checkId, verdict, cancellationToken);
            throw Refusal(verdict);
        }

        var saved = await save();
        await RecordAsync(terms, operatorId, checkId, verdict, cancellationToken);
        return new CheckedSave<T>(saved, verdict.Warnings);
    }

    private async Task RecordAsync(CampaignTerms terms, string? operatorId, string checkId, ComplianceVerdict verdict, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
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

/// <summary>What a checked save stored, and the warnings its response carries.</summary>
public sealed record CheckedSave<T>(T Value, IReadOnlyList<ComplianceFinding> Warnings);

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
