using Mall.Application.Fission;
using Mall.Domain.Common;
using Mall.Domain.Fission;

namespace Mall.IntegrationTests.Fission;

/// <summary>A mechanic's daily budget: racing reservations never pass the cap, a retried one counts once, the switch stops spending.</summary>
public sealed class FissionBudgetTests
{
    private static readonly DateOnly Day = new(2026, 12, 1);

    [Fact]
    public async Task Racing_reservations_stop_exactly_at_the_daily_budget_and_a_retry_counts_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var controls = mall.Get<FissionControls>();
        await controls.SetAsync(FissionMechanic.Bargains, new MechanicControlRequest(true, 1_000), "admin", CancellationToken.None);

        // 40 operations of 100 fen, each sent twice at once, against a budget of 1,000 fen.
        var attempts = Enumerable.Range(0, 40).SelectMany(i => new[] { i, i }).Select(i => Task.Run(async () =>
        {
            try
            {
                await controls.ChargeAsync(FissionMechanic.Bargains, Day, $"op-{i}", 100, CancellationToken.None);
                return $"op-{i}";
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.BudgetExhausted)
            {
                return null;
            }
        }));
        var charged = (await Task.WhenAll(attempts)).Where(op => op is not null).Distinct().ToList();

        Assert.Equal(10, charged.Count);
        var again = await controls.ChargeAsync(FissionMechanic.Bargains, Day, charged[0]!, 100, CancellationToken.None);
        Assert.Equal(charged[0], again.OperationId);
        await Assert.ThrowsAsync<DomainException>(() => controls.ChargeAsync(FissionMechanic.Bargains, Day, "one-more", 100, CancellationToken.None));

        // A released reservation gives its amount back; a settled one keeps it, even when released later.
        await controls.SettleAsync(new BudgetCharge(FissionMechanic.Bargains, Day, charged[1]!, 100), CancellationToken.None);
        await controls.ReleaseAsync(new BudgetCharge(FissionMechanic.Bargains, Day, charged[1]!, 100), CancellationToken.None);
        await Assert.ThrowsAsync<DomainException>(() => controls.ChargeAsync(FissionMechanic.Bargains, Day, "one-more", 100, CancellationToken.None));
        await controls.ReleaseAsync(new BudgetCharge(FissionMechanic.Bargains, Day, charged[2]!, 100), CancellationToken.None);
        await controls.ChargeAsync(FissionMechanic.Bargains, Day, "one-more", 100, CancellationToken.None);
    }

    [Fact]
    public async Task A_switched_off_mechanic_refuses_to_spend_and_says_so()
    {
        await using var mall = await MallFixture.StartAsync();
        var controls = mall.Get<FissionControls>();
        await controls.SetAsync(FissionMechanic.CardCollecting, new MechanicControlRequest(false, 10_000), "admin", CancellationToken.None);

        var refused = await Assert.ThrowsAsync<DomainException>(() => controls.ChargeAsync(FissionMechanic.CardCollecting, Day, "op", 1, CancellationToken.None));
        Assert.Equal(ErrorCode.MechanicSwitchedOff, refused.Code);
        await Assert.ThrowsAsync<DomainException>(() => controls.EnsureEnabledAsync(FissionMechanic.CardCollecting, CancellationToken.None));
        await controls.EnsureEnabledAsync(FissionMechanic.ShareRewards, CancellationToken.None);

        var view = (await controls.ListAsync(CancellationToken.None)).Single(v => v.Mechanic == FissionMechanic.CardCollecting);
        Assert.False(view.Enabled);
        Assert.Equal("admin", view.ChangedBy);
    }
}
