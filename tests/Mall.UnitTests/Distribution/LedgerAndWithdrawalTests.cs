using Mall.Domain.Common;
using Mall.Domain.Distribution;

namespace Mall.UnitTests.Distribution;

public sealed class LedgerAndWithdrawalTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    [Fact]
    public void Balances_are_derived_from_the_ledger_lines_and_match_the_orders_current_commission()
    {
        var commission = OrderCommission.Accrue("O1", "b", [new CommissionBase(10000, CommissionPolicy.Default.Rates)], ["p1"], 7000);
        var (settled, settlement) = commission.Settle(Now);
        var (reversed, reversal) = settled.ApplyRefunds(2500);
        var lines = commission.AccrualMovements().Concat(settlement).Concat(reversal).Select(m => LedgerEntry.For(CommissionMovementEvent.For(m, Now)))
            .Append(LedgerEntry.PaidOut("p1", "W1", 1000, Now))
            .ToList();

        var balances = PromoterBalances.From(lines);

        Assert.Equal(0, balances.PendingFen);
        Assert.Equal(3000, balances.SettledFen);
        Assert.Equal(1000, balances.WithdrawnFen);
        Assert.Equal(2000, balances.WithdrawableFen);
        Assert.True(balances.Matches([reversed], "p1"));
        Assert.False(balances.Matches([commission], "p1"));
    }

    [Fact]
    public void A_withdrawal_may_use_what_is_settled_minus_what_is_already_requested_or_paid()
    {
        var book = new WithdrawalBook { PromoterId = "p1" }.Request("W1", 600, settledFen: 1000, Now);

        Assert.Equal(ErrorCode.WithdrawalExceedsBalance, Assert.Throws<DomainException>(() => book.Request("W2", 500, 1000, Now)).Code);
        var paid = book.Request("W2", 400, 1000, Now).Decide("W1", paid: true, Now);
        Assert.Equal(1000, paid.HeldFen);
        Assert.Equal(600, paid.Decide("W2", paid: false, Now).HeldFen);
    }

    [Fact]
    public void Requests_repeat_idempotently_and_tiny_ones_are_refused()
    {
        var book = new WithdrawalBook { PromoterId = "p1" }.Request("W1", 600, 1000, Now);

        Assert.Same(book, book.Request("W1", 600, 1000, Now));
        Assert.Equal(ErrorCode.ValidationFailed, Assert.Throws<DomainException>(() => book.Request("W3", WithdrawalBook.MinimumFen - 1, 1000, Now)).Code);
    }

    [Fact]
    public void A_decided_withdrawal_cannot_be_decided_the_other_way()
    {
        var paid = new WithdrawalBook { PromoterId = "p1" }.Request("W1", 600, 1000, Now).Decide("W1", paid: true, Now);

        Assert.Same(paid, paid.Decide("W1", paid: true, Now));
        Assert.Throws<DomainException>(() => paid.Decide("W1", paid: false, Now));
    }

    [Fact]
    public void Old_decisions_leave_the_book_but_what_they_paid_still_holds_and_a_few_requests_wait_at_a_time()
    {
        var book = new WithdrawalBook { PromoterId = "p1" };
        for (var i = 0; i < WithdrawalBook.DecidedKept + 5; i++)
        {
            book = book.Request($"W{i}", 100, settledFen: 100_000, Now).Decide($"W{i}", paid: i % 5 != 0, Now);
        }

        var waiting = Enumerable.Range(0, WithdrawalBook.MaxRequested).Aggregate(book, (b, i) => b.Request($"open-{i}", 100, 100_000, Now));

        Assert.Equal(WithdrawalBook.DecidedKept, book.Withdrawals.Count);
        Assert.DoesNotContain(book.Withdrawals, w => w.Id == "W4");
        Assert.Equal(4 * 100, book.EarlierPaidFen);
        Assert.Equal(44 * 100, book.HeldFen);
        Assert.Equal(ErrorCode.WithdrawalLimitReached, Assert.Throws<DomainException>(() => waiting.Request("one-more", 100, 100_000, Now)).Code);
        Assert.Same(waiting, waiting.Request("open-0", 100, 100_000, Now));
    }
}
