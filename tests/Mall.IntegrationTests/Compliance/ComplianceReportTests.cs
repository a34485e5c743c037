using Mall.Application.Bargains;
using Mall.Application.Compliance;
using Mall.Domain.Bargains;
using Mall.Domain.Common;
using Mall.Domain.Compliance;
using Mall.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Compliance;

public sealed class ComplianceReportTests
{
    // 2026-11-30 20:00 CST: still November in China, though the last UTC hours of the 30th.
    private static readonly DateTimeOffset LateNovember = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static CampaignTerms SharedToUnlock(CampaignMechanic mechanic) =>
        new(mechanic, null) { Rewards = [new RewardTerm("unlockedBy", RewardForm.PriceCut, RewardCondition.ShareAct)] };

    private static CampaignTerms ThreeLevels() => new(CampaignMechanic.DistributionPolicy, "current")
    {
        Commissions = [new CommissionSchedule("rates", [new("rates.level1Bps", 1_000), new("rates.level2Bps", 500), new("rates.level3Bps", 300)])],
    };

    private static Task<bool> NothingToStore() => Task.FromResult(true);

    [Fact]
    public async Task Concurrent_checks_are_each_counted_once_by_outcome_rule_and_mechanic()
    {
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(LateNovember));
        var compliance = mall.Get<CampaignCompliance>();

        var checks = Enumerable.Range(0, 60).Select(async i =>
        {
            try
            {
                var terms = (i % 3) switch
                {
                    0 => new CampaignTerms(CampaignMechanic.Coupon, null),
                    1 => ThreeLevels(),
                    _ => SharedToUnlock(CampaignMechanic.FlashSale),
                };
                await compliance.SaveAsync(terms, "ops", NothingToStore, CancellationToken.None);
                return true;
            }
            catch (ComplianceRefusedException)
            {
                return false;
            }
        });
        var passed = await Task.WhenAll(checks);

        Assert.Equal(40, passed.Count(p => p));
        var report = await compliance.ReportAsync(2026, 11, CancellationToken.None);
        Assert.Equal(60, report.Checks);
        Assert.Equal((20, 20, 20), (report.Saved, report.Warned, report.Refused));
        Assert.Equal(new RuleCount(20, 0), report.ByRule[ComplianceCodes.RewardConditionedOnSharing]);
        Assert.Equal(new RuleCount(0, 20), report.ByRule[ComplianceCodes.CommissionDepthOverTwo]);
        Assert.Equal(new MechanicCount(20, 0, 0), report.ByMechanic["coupon"]);
        Assert.Equal(new MechanicCount(0, 20, 0), report.ByMechanic["distributionPolicy"]);
        Assert.Equal(new MechanicCount(0, 0, 20), report.ByMechanic["flashSale"]);
        Assert.Equal(40, report.Listed.Count);
        Assert.False(report.ListTruncated);
        Assert.All(report.Listed, c => Assert.Equal("ops", c.OperatorId));
        Assert.Equal(0, (await compliance.ReportAsync(2026, 12, CancellationToken.None)).Checks);
    }

    [Fact]
    public async Task A_save_its_service_refuses_after_the_check_is_not_recorded_and_a_refused_one_never_runs()
    {
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(LateNovember));
        var compliance = mall.Get<CampaignCompliance>();
        var ran = false;

        var invalid = await Assert.ThrowsAsync<DomainException>(() => compliance.SaveAsync<bool>(
            ThreeLevels(), "ops", () => throw DomainException.Validation("floorFen", "Too low."), CancellationToken.None));
        await Assert.ThrowsAsync<ComplianceRefusedException>(() => compliance.SaveAsync(
            SharedToUnlock(CampaignMechanic.Bargain), "ops", () => Task.FromResult(ran = true), CancellationToken.None));

        Assert.Equal(ErrorCode.ValidationFailed, invalid.Code);
        Assert.False(ran);
        var report = await compliance.ReportAsync(2026, 11, CancellationToken.None);
        Assert.Equal((1, 0, 0, 1), (report.Checks, report.Saved, report.Warned, report.Refused));
    }

    [Fact]
    public async Task A_campaign_save_answered_as_failed_has_stored_nothing_so_the_operators_retry_makes_no_second_campaign()
    {
        // Once armed, the next write of a compliance check fails (a storage timeout): the operator is answered an error.
        var failNextCheckWrite = 0;
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(LateNovember), configureServices: services => services.Script<ComplianceCheck>(checks =>
            checks.BeforeWrite = (_, _) => Interlocked.Exchange(ref failNextCheckWrite, 0) == 1 ? throw new TimeoutException("The compliance check was not written.") : Task.CompletedTask));
        var compliance = mall.Get<CampaignCompliance>();
        var bargains = mall.Get<BargainService>();
        var product = await mall.CreateProductAsync(10_000, null, 10);
        var request = new BargainCampaignRequest { SkuId = product.Skus[0].Id, FloorFen = 1_000, HelpsToFloor = 10, MaxBargains = 100, EndsAt = LateNovember.AddDays(2) };
        Task<CheckedSave<BargainCampaign>> SaveAsManageBargainCampaignsDoes() =>
            compliance.SaveAsync(request.ComplianceTerms(), "ops", () => bargains.CreateCampaignAsync(request, CancellationToken.None), CancellationToken.None);

        Interlocked.Exchange(ref failNextCheckWrite, 1);
        await Assert.ThrowsAsync<TimeoutException>(SaveAsManageBargainCampaignsDoes);
        await SaveAsManageBargainCampaignsDoes();

        var stored = (await bargains.ListCampaignsAsync(continuationToken: null, pageSize: 50, CancellationToken.None)).Items;
        Assert.True(stored.Count == 1, $"{stored.Count} bargain campaigns stored for one operator request answered once with an error, then retried.");
    }

    [Fact]
    public async Task A_save_corrected_after_a_refusal_and_resent_under_the_same_idempotency_key_is_reported_as_saved()
    {
        // A refused save stored nothing, so the operator may correct it and resend it under the same Idempotency-Key
        // (from which manage/campaigns derives the check id): that save is stored, and must be counted as saved.
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(LateNovember));
        var compliance = mall.Get<CampaignCompliance>();
        var stored = 0;

        await Assert.ThrowsAsync<ComplianceRefusedException>(() => compliance.SaveAsync(SharedToUnlock(CampaignMechanic.CalendarCampaign), "ops", "CC-corrected", NothingToStore, CancellationToken.None));
        await compliance.SaveAsync(new CampaignTerms(CampaignMechanic.CalendarCampaign, null), "ops", "CC-corrected", () => Task.FromResult(++stored), CancellationToken.None);

        Assert.Equal(1, stored);
        var report = await compliance.ReportAsync(2026, 11, CancellationToken.None);
        Assert.True(report.Saved == 1, $"A stored campaign whose only check in the report is a refusal: saved {report.Saved}, refused {report.Refused}.");
    }

    [Fact]
    public async Task A_retried_check_under_the_same_id_is_counted_once_and_refused_again()
    {
        await using var mall = await MallFixture.StartAsync(new FakeTimeProvider(LateNovember));
        var compliance = mall.Get<CampaignCompliance>();

        var retries = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            Assert.ThrowsAsync<ComplianceRefusedException>(() => compliance.SaveAsync(SharedToUnlock(CampaignMechanic.CalendarCampaign), "ops", "CC-retried", NothingToStore, CancellationToken.None))));

        Assert.All(retries, refusal => Assert.Equal(ComplianceCodes.RewardConditionedOnSharing, Assert.Single(refusal.Findings).Code));
        var report = await compliance.ReportAsync(2026, 11, CancellationToken.None);
        Assert.Equal(1, report.Refused);
        Assert.Equal("CC-retried", Assert.Single(report.Listed).CheckId);
    }

    [Fact]
    public async Task A_check_records_a_bounded_row_and_the_list_keeps_the_newest()
    {
        var time = new FakeTimeProvider(LateNovember);
        await using var mall = await MallFixture.StartAsync(time);
        var compliance = mall.Get<CampaignCompliance>();
        var manyProducts = new CampaignTerms(CampaignMechanic.DistributionPolicy, "current")
        {
            Commissions = Enumerable.Range(0, 100).Select(i => new CommissionSchedule($"productRates.P{i}", [new("l1", 100), new("l2", 100), new("l3", 100), new("l4", 100)])).ToList(),
        };

        var refusal = await Assert.ThrowsAsync<ComplianceRefusedException>(() => compliance.SaveAsync(manyProducts, "ops", NothingToStore, CancellationToken.None));
        Assert.Equal(CampaignCompliance.MaxFindingsKept, refusal.Findings.Count);
        var recorded = Assert.Single((await compliance.ReportAsync(2026, 11, CancellationToken.None)).Listed);
        Assert.Equal((CampaignCompliance.MaxFindingsKept, 100), (recorded.Findings.Count, recorded.FindingCount));
        Assert.Equal([ComplianceCodes.CommissionDepthOverThree], recorded.RefusedBy);
        for (var i = 0; i < CampaignCompliance.MaxListed; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await compliance.SaveAsync(ThreeLevels(), "ops", NothingToStore, CancellationToken.None);
        }

        var report = await compliance.ReportAsync(2026, 11, CancellationToken.None);
        Assert.Equal(CampaignCompliance.MaxListed + 1, report.Checks);
        Assert.True(report.ListTruncated);
        Assert.Equal(CampaignCompliance.MaxListed, report.Listed.Count);
        Assert.All(report.Listed, c => Assert.Equal(ComplianceOutcome.Warned, c.Outcome));
        Assert.True(report.Listed[0].CheckedAt > report.Listed[^1].CheckedAt);
    }
}
