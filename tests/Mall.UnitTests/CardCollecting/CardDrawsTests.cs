using Mall.Domain.CardCollecting;
using Mall.Testing;

namespace Mall.UnitTests.CardCollecting;

/// <summary>Card draws: reproducible, as often as the weights say, and a full set always within the published bound.</summary>
public sealed class CardDrawsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    public static CardCampaign Campaign(int[] weights, int missesBeforeGuarantee) => SampleCardCampaign.With(weights, missesBeforeGuarantee, Now);

    /// <summary>A customer doing tasks until the set is complete; returns how many it took.</summary>
    private static int TasksToFullSet(CardCampaign campaign, string customerId)
    {
        var collection = new CardCollection(campaign.Id, customerId);
        for (var task = 1; task <= 1_000; task++)
        {
            collection = collection.Earn(campaign, $"order:O{task}", CardTaskKind.PaidOrder, $"O{task}", Now).Collection;
            if (collection.Missing(campaign.Cards.Count).Count == 0)
            {
                return task;
            }
        }

        throw new InvalidOperationException("Never complete.");
    }

    [Fact]
    public void The_same_campaign_customer_and_task_always_draw_the_same_card_and_others_differ()
    {
        int[] weights = [1, 1, 1, 1, 1];
        var held = new HashSet<int> { 0 };
        var draws = Enumerable.Range(0, 200).Select(n => CardDraws.Draw(CardDraws.Seed("CK1", "C1", $"order:O{n}"), weights, held, 0, 3)).ToList();
        var again = Enumerable.Range(0, 200).Select(n => CardDraws.Draw(CardDraws.Seed("CK1", "C1", $"order:O{n}"), weights, held, 0, 3)).ToList();
        var otherCustomer = Enumerable.Range(0, 200).Select(n => CardDraws.Draw(CardDraws.Seed("CK1", "C2", $"order:O{n}"), weights, held, 0, 3)).ToList();

        Assert.Equal(draws, again);
        Assert.NotEqual(draws, otherCustomer);
        Assert.Equal(5, draws.Distinct().Count());
    }

    [Fact]
    public void Ordinary_draws_give_each_card_as_often_as_its_weight_says_and_the_published_odds_say_so()
    {
        int[] weights = [6_000, 3_000, 900, 100];
        var everything = new HashSet<int> { 0, 1, 2, 3 };
        var counts = new int[weights.Length];
        const int Draws = 40_000;
        for (var n = 0; n < Draws; n++)
        {
            counts[CardDraws.Draw(CardDraws.Seed("CK1", $"C{n}", "check-in:2026-12-01"), weights, everything, 0, 0)]++;
        }

        Assert.Equal([6_000, 3_000, 900, 100], CardDraws.OddsBps(weights));
        for (var card = 0; card < weights.Length; card++)
        {
            var expected = weights[card] / 10_000.0;
            var tolerance = 4 * Math.Sqrt(expected * (1 - expected) / Draws);
            Assert.InRange(counts[card] / (double)Draws, expected - tolerance, expected + tolerance);
        }
    }

    [Fact]
    public void After_the_allowed_misses_the_next_draw_is_a_missing_card_chosen_by_the_missing_cards_weights()
    {
        // Card 3 is 1 in 10,000: an ordinary draw almost never gives it, a guaranteed draw always does.
        int[] weights = [9_997, 1, 1, 1];
        var held = new HashSet<int> { 0, 1, 2 };
        var ordinary = Enumerable.Range(0, 1_000).Count(n => CardDraws.Draw(CardDraws.Seed("CK1", $"C{n}", "t"), weights, held, 2, 3) == 3);
        var guaranteed = Enumerable.Range(0, 1_000).Count(n => CardDraws.Draw(CardDraws.Seed("CK1", $"C{n}", "t"), weights, held, 3, 3) == 3);

        Assert.InRange(ordinary, 0, 5);
        Assert.Equal(1_000, guaranteed);
    }

    [Theory]
    [InlineData(new[] { 1, 1 }, 0)]
    [InlineData(new[] { 1, 1, 1, 1, 1 }, 3)]
    [InlineData(new[] { 10_000, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 3)]
    [InlineData(new[] { 10_000, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 20)]
    [InlineData(new[] { 5, 100, 1, 10_000 }, 0)]
    public void A_full_set_always_completes_within_the_published_bound_and_lopsided_weights_reach_it(int[] weights, int misses)
    {
        var campaign = Campaign(weights, misses);
        var tasks = Enumerable.Range(0, 300).Select(n => TasksToFullSet(campaign, $"C{n}")).ToList();

        Assert.Equal(1 + ((weights.Length - 1) * (misses + 1)), campaign.MaxTasksForFullSet);
        Assert.All(tasks, t => Assert.InRange(t, weights.Length, campaign.MaxTasksForFullSet));
        if (weights.Max() == 10_000 && weights.Length == 10)
        {
            // One heavy card: ordinary draws almost always repeat it, so the guarantee is what completes the set.
            Assert.Contains(campaign.MaxTasksForFullSet, tasks);
        }
    }

    [Fact]
    public void Without_misses_allowed_every_task_gives_a_missing_card_until_the_set_is_complete()
    {
        var campaign = Campaign([1, 2, 3], 0);

        Assert.All(Enumerable.Range(0, 100), n => Assert.Equal(3, TasksToFullSet(campaign, $"C{n}")));
    }
}
