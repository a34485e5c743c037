using Mall.Domain.Catalog;
using Mall.Domain.Common;

namespace Mall.UnitTests.Catalog;

public sealed class ProductEditorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 4, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private static ProductDraft Draft(params SkuDraft[] skus) =>
        new("Tea", null, null, "tea", [], null, new ProductMedia(), null, ProductStatus.OnSale, skus);

    private static SkuDraft NewSku(long price, long? reference = null, long stock = 5) =>
        new(null, "250g", new Dictionary<string, string>(), price, reference, true, stock);

    [Fact]
    public void New_skus_are_numbered_and_carry_their_initial_stock_in_the_event()
    {
        var save = ProductEditor.Save("P1", null, Draft(NewSku(100, stock: 7), NewSku(200, stock: 0)), Now, Week);

        Assert.Equal(["P1-1", "P1-2"], save.Product.Skus.Select(s => s.Id));
        Assert.Equal([new InitialStock("P1-1", 7), new InitialStock("P1-2", 0)], save.Changed.NewSkus);
    }

    [Fact]
    public void A_price_cut_may_show_the_previous_price_struck_through()
    {
        var created = ProductEditor.Save("P1", null, Draft(NewSku(9900)), Now.AddDays(-20), Week).Product;

        var cut = ProductEditor.Save("P1", created, Draft(new SkuDraft("P1-1", "250g", new Dictionary<string, string>(), 7900, 9900, true, 0)), Now, Week).Product;

        Assert.Equal([9900L, 7900L], cut.Skus[0].PriceHistory.Select(p => p.PriceFen));
        Assert.Equal(9900, ReferencePriceRule.Displayable(cut.Skus[0], Now.AddDays(6), Week));
        Assert.Null(ReferencePriceRule.Displayable(cut.Skus[0], Now.AddDays(7), Week));
    }

    [Fact]
    public void Updating_keeps_existing_skus_and_adds_new_ones_after_the_highest_number()
    {
        var created = ProductEditor.Save("P1", null, Draft(NewSku(100), NewSku(200)), Now, Week).Product;

        var updated = ProductEditor.Save(
            "P1",
            created,
            Draft(new SkuDraft("P1-1", "a", new Dictionary<string, string>(), 100, null, true, 0), new SkuDraft("P1-2", "b", new Dictionary<string, string>(), 200, null, false, 0), NewSku(300, stock: 3)),
            Now.AddMinutes(1),
            Week);

        Assert.Equal(["P1-1", "P1-2", "P1-3"], updated.Product.Skus.Select(s => s.Id));
        Assert.False(updated.Product.Skus[1].Enabled);
        Assert.Equal(created.CreatedAt, updated.Product.CreatedAt);
    }

    [Fact]
    public void Skus_cannot_be_removed_or_taken_from_another_product()
    {
        var created = ProductEditor.Save("P1", null, Draft(NewSku(100), NewSku(200)), Now, Week).Product;

        var removed = Assert.Throws<DomainException>(() => ProductEditor.Save("P1", created, Draft(new SkuDraft("P1-1", "a", new Dictionary<string, string>(), 100, null, true, 0)), Now, Week));
        var foreign = Assert.Throws<DomainException>(() => ProductEditor.Save("P1", created, Draft(new SkuDraft("P9-1", "a", new Dictionary<string, string>(), 100, null, true, 0)), Now, Week));

        Assert.Contains("P1-2", removed.Message);
        Assert.Contains("skus[0].skuId", foreign.FieldErrors!.Keys);
    }
}
