using Mall.Application.Distribution;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;
using Mall.Infrastructure.Distribution;

namespace Mall.IntegrationTests.Distribution;

public sealed class WithdrawalRaceTests
{
    /// <summary>An approved promoter with <paramref name="settledFen"/> earned and settled, as the ledger holds it after an order's settlement.</summary>
    internal static async Task<string> SettledPromoterAsync(MallFixture mall, long settledFen)
    {
        var distribution = mall.Get<DistributionService>();
        var promoter = await mall.NewCustomerAsync();
        await distribution.ApplyAsync(promoter, CancellationToken.None);
        await distribution.DecidePromoterAsync(promoter, approve: true, CancellationToken.None);
        var ledger = mall.Get<IDocumentCollection<LedgerEntry>>();
        var earned = new CommissionMovement("O1", 1, promoter, CommissionEntryKind.Accrued, settledFen, "O1|1|accrued");
        foreach (var movement in new[] { earned, earned with { Kind = CommissionEntryKind.Settled, Key = "O1|1|settled" } })
        {
            await ledger.InsertAsync(new DocumentKey(promoter, movement.Key), LedgerEntry.For(CommissionMovementEvent.For(movement, DateTimeOffset.UtcNow)), [], CancellationToken.None);
        }

        return promoter;
    }

    [Fact]
    public async Task Concurrent_withdrawal_requests_never_add_up_to_more_than_the_settled_balance()
    {
        await using var mall = await MallFixture.StartAsync();
        var distribution = mall.Get<DistributionService>();
        var promoter = await SettledPromoterAsync(mall, 1000);

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

    [Fact]
    public async Task A_withdrawal_paid_and_rejected_at_once_is_decided_once_and_paid_out_at_most_once()
    {
        await using var mall = await MallFixture.StartAsync();
        var distribution = mall.Get<DistributionService>();
        var instructions = mall.Get<IDocumentCollection<PayoutInstruction>>();

        for (var round = 0; round < 8; round++)
        {
            var promoter = await SettledPromoterAsync(mall, 1000);
            var requested = await distribution.RequestWithdrawalAsync(promoter, $"race-{round}", new WithdrawalRequest(1000), CancellationToken.None);

            // The operator's pay and a second operator's reject arrive together.
            var decisions = await Task.WhenAll(new[] { true, false }.Select(pay => Task.Run(async () =>
            {
                try
                {
                    return (await distribution.DecideWithdrawalAsync(promoter, requested.Id, pay, CancellationToken.None)).Status;
                }
                catch (DomainException exception) when (exception.Code == ErrorCode.InvalidOrderState)
                {
                    return (WithdrawalStatus?)null;
                }
            })));
            await mall.Events.DrainAsync();

            // Whatever lost the race, the balance it left is withdrawn and paid again by the book's rules.
            var decided = (await distribution.SummaryAsync(promoter, CancellationToken.None)).Withdrawals.Single();
            if (decided.Status == WithdrawalStatus.Rejected)
            {
                var again = await distribution.RequestWithdrawalAsync(promoter, $"again-{round}", new WithdrawalRequest(1000), CancellationToken.None);
                await distribution.DecideWithdrawalAsync(promoter, again.Id, pay: true, CancellationToken.None);
                await mall.Events.DrainAsync();
            }

            var summary = await distribution.SummaryAsync(promoter, CancellationToken.None);
            var paidOut = new List<PayoutInstruction>();
            foreach (var withdrawal in summary.Withdrawals)
            {
                if ((await instructions.FindAsync(DocumentKey.Single(withdrawal.Id), CancellationToken.None))?.Value is { } instruction)
                {
                    paidOut.Add(instruction);
                }
            }

            Assert.Single(decisions, status => status is not null);
            Assert.True(paidOut.Sum(p => p.AmountFen) == 1000, $"round {round}: {decided.Status} first, then {paidOut.Count} payout instruction(s) of {string.Join(", ", paidOut.Select(p => p.AmountFen))} fen for 1000 fen settled");
            Assert.Equal(summary.Withdrawals.Where(w => w.Status == WithdrawalStatus.Paid).Select(w => w.Id), paidOut.Select(p => p.TransferId));
            Assert.Equal((1000L, 0L), (summary.WithdrawnFen, summary.WithdrawableFen));
        }
    }

    [Fact]
    public async Task A_payout_is_instructed_once_however_often_the_decision_is_repeated_or_delivered()
    {
        await using var mall = await MallFixture.StartAsync();
        var distribution = mall.Get<DistributionService>();
        var promoter = await SettledPromoterAsync(mall, 1000);
        var requested = await distribution.RequestWithdrawalAsync(promoter, "once", new WithdrawalRequest(600), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => distribution.DecideWithdrawalAsync(promoter, requested.Id, pay: true, CancellationToken.None))));
        await mall.Events.DrainAsync();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => mall.Get<PayoutSender>().HandleAsync(new CommissionPaidOut(promoter, requested.Id, 600) { OccurredAt = DateTimeOffset.UtcNow }, new EventContext(null!), CancellationToken.None))));

        var instructions = new List<PayoutInstruction>();
        await foreach (var instruction in mall.Get<IDocumentCollection<PayoutInstruction>>().ScanAsync(new DocumentQuery { PartitionKey = requested.Id }, 10, CancellationToken.None))
        {
            instructions.Add(instruction.Value);
        }

        Assert.Equal(600, Assert.Single(instructions).AmountFen);
        Assert.Equal(600, (await distribution.SummaryAsync(promoter, CancellationToken.None)).WithdrawnFen);
    }
}
