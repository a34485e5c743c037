using Mall.Domain.Inventory;

namespace Mall.UnitTests.Inventory;

public sealed class GuardedCounterTests
{
    [Fact]
    public void Apply_within_bounds_changes_value_and_marks_operation()
    {
        var change = new GuardedCounter(10).Apply("order:1", -3);

        Assert.Equal(CounterOutcome.Applied, change.Outcome);
        Assert.Equal(7, change.Counter.Value);
        Assert.Equal(-3, change.Counter.Pending["order:1"]);
    }

    [Fact]
    public void Applying_the_same_operation_twice_counts_once()
    {
        var once = new GuardedCounter(10).Apply("order:1", -3).Counter;

        var twice = once.Apply("order:1", -3);

        Assert.Equal(CounterOutcome.AlreadyApplied, twice.Outcome);
        Assert.Equal(7, twice.Counter.Value);
    }

    [Theory]
    [InlineData(2, -3, 0, long.MaxValue)]
    [InlineData(4, 2, 0, 5)]
    public void A_change_that_leaves_the_range_is_refused_and_changes_nothing(long start, long delta, long min, long max)
    {
        var counter = new GuardedCounter(start);

        var change = counter.Apply("op", delta, min, max);

        Assert.Equal(CounterOutcome.Refused, change.Outcome);
        Assert.Same(counter, change.Counter);
    }

    [Fact]
    public void Exactly_reaching_a_bound_is_allowed()
    {
        Assert.Equal(0, new GuardedCounter(3).Apply("a", -3).Counter.Value);
        Assert.Equal(5, new GuardedCounter(3).Apply("a", 2, 0, 5).Counter.Value);
    }

    [Fact]
    public void Revert_undoes_a_pending_operation_once()
    {
        var reserved = new GuardedCounter(10).Apply("order:1", -3).Counter;

        var reverted = reserved.Revert("order:1");
        var again = reverted.Counter.Revert("order:1");

        Assert.Equal(10, reverted.Counter.Value);
        Assert.Empty(reverted.Counter.Pending);
        Assert.Equal(CounterOutcome.AlreadyApplied, again.Outcome);
        Assert.Equal(10, again.Counter.Value);
    }

    [Fact]
    public void Settle_keeps_the_change_and_forgets_the_mark_so_a_later_revert_is_a_no_op()
    {
        var sold = new GuardedCounter(10).Apply("order:1", -3).Counter.Settle("order:1").Counter;

        Assert.Equal(7, sold.Value);
        Assert.Empty(sold.Pending);
        Assert.Equal(7, sold.Revert("order:1").Counter.Value);
    }
}
