using Mall.Application.Distribution;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;

namespace Mall.IntegrationTests.Distribution;

public sealed class WithdrawalRaceTests
{
    [Fact]
    public async Task Concurrent_withdrawal_requests_never_add_up_to_more_than_the_settled_balance()
    {
        await using var mall = await MallFixture.StartAsync();
        var distribution = mall.Get<DistributionService>();
        var promoter = await mall.NewCustomerAsync();
        await distribution.ApplyAsync(promoter, CancellationToken.None);
        await distribution.DecidePromoterAsync(promoter, approve: true, CancellationToken.None);
        // 1000 fen earned and settled, as the ledger would hold it after an order's settlement.
        var ledger = mall.Get<IDocumentCollection<LedgerEntry>>();
        var earned = new CommissionMovement("O1", 1, promoter, CommissionEntryKind.Accrued, 1000, "O1|1|accrued");
        foreach (var movement in new[] { earned, earned with { Kind = CommissionEntryKind.Settled, Key = "O1|1|settled" } })
        {
            await ledger.InsertAsync(new DocumentKey(promoter, movement.Key), LedgerEntry.For(CommissionMovementEvent.For(movement, DateTimeOffset.UtcNow)), [], CancellationToken.None);
        }

        var attempts = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            try
            {
                await distribution.RequestWithdrawalAsync(promoter, $"withdraw-{i:D4}", new WithdrawalRequest(300), CancellationToken.None);
                return true;
            }
            catch (DomainException exception) when (exception.Code == ErrorCode.WithdrawalExceedsBalance)
            {
                return false;
            }
        }));

        Assert.Equal(3, attempts.Count(granted => granted));
        var summary = await distribution.SummaryAsync(promoter, CancellationToken.None);
        Assert.Equal(900, summary.Withdrawals.Sum(w => w.AmountFen));
        Assert.Equal(100, summary.WithdrawableFen);
    }

    [Fact]
    public async Task Only_approved_promoters_withdraw()
    {
        await using var mall = await MallFixture.StartAsync();
        var customer = await mall.NewCustomerAsync();

        var refused = await Assert.ThrowsAsync<DomainException>(() =>
            mall.Get<DistributionService>().RequestWithdrawalAsync(customer, "withdraw-0001", new WithdrawalRequest(300), CancellationToken.None));

        Assert.Equal(ErrorCode.NotAPromoter, refused.Code);
    }
}
