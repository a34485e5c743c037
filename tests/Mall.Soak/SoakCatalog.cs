using System.Collections.Concurrent;

namespace Mall.Soak;

/// <summary>A SKU the soak sells, with the stock it was created with (the one input the stock check takes from the soak).</summary>
public sealed record SoakSku(string ProductId, string SkuId, long PriceFen, long InitialStock);

/// <summary>What the operator set up before the workload: products, a group-buy campaign, presale campaigns, a promoter.</summary>
public sealed class SoakCatalog
{
    public const long PresaleDepositFen = 5000;

    private readonly ConcurrentQueue<PresaleWindow> presales = new();
    private readonly ConcurrentDictionary<string, FlashWindow> flashSales = new(StringComparer.Ordinal);

    public required IReadOnlyList<SoakSku> Plain { get; init; }

    public required SoakSku GroupSku { get; init; }

    public required SoakSku PresaleSku { get; init; }

    public required string GroupCampaignId { get; init; }

    public required string InviteCode { get; init; }

    public IEnumerable<SoakSku> AllSkus => [.. Plain, GroupSku, PresaleSku];

    /// <summary>The SKUs the operator runs flash sales of, one after another: their units leave and rejoin the plain stock customers buy.</summary>
    public IReadOnlyList<SoakSku> FlashSkus => [Plain[1], Plain[2]];

    /// <summary>The flash sales customers may reserve in now (as the operator last knew them), with a second to spare.</summary>
    public IReadOnlyList<FlashWindow> LiveFlashSales(DateTimeOffset now) =>
        [.. flashSales.Values.Where(f => f.StartsAt <= now && now < f.EndsAt.AddSeconds(-1) && !f.EndedEarly)];

    public FlashWindow? LiveFlashSale(SoakSku sku, DateTimeOffset now) => LiveFlashSales(now).FirstOrDefault(f => f.SkuId == sku.SkuId);

    public void AddFlashSale(FlashWindow sale) => flashSales[sale.SaleId] = sale;

    public void FlashSaleEndedEarly(string saleId)
    {
        if (flashSales.TryGetValue(saleId, out var sale))
        {
            flashSales[saleId] = sale with { EndedEarly = true };
        }
    }

    /// <summary>The presale taking deposits now (with a few seconds to spare), if any.</summary>
    public PresaleWindow? OpenPresale(DateTimeOffset now) => presales.LastOrDefault(p => p.DepositStartsAt <= now && now < p.DepositEndsAt.AddSeconds(-3));

    public PresaleWindow? LatestPresale => presales.LastOrDefault();

    public void AddPresale(PresaleWindow window) => presales.Enqueue(window);

    public static async Task<SoakCatalog> CreateAsync(SoakMall mall, SoakStats stats, CancellationToken cancellationToken)
    {
        using var admin = await mall.OperatorAsync(stats, cancellationToken);
        Expect(await admin.PutAsync("manage/categories/soak", new { name = "Soak", sort = 1 }, cancellationToken), "category");
        var tea = await ProductAsync(admin, "龙井 soak", [(3000, 600), (4500, 600)], cancellationToken);
        var teapot = await ProductAsync(admin, "紫砂壶 soak", [(12000, 400)], cancellationToken);
        var group = await ProductAsync(admin, "拼团 soak", [(5000, 400)], cancellationToken);
        var presale = await ProductAsync(admin, "预售 soak", [(49900, 400)], cancellationToken);
        var campaign = await admin.PostAsync(
            "manage/group-buy-campaigns",
            new { skuId = group[0].SkuId, groupPriceFen = 3000, groupSize = 2, timeLimitSeconds = 20, maxGroups = 100_000, endsAt = DateTimeOffset.UtcNow.AddDays(1) },
            cancellationToken);
        Expect(campaign, "group-buy campaign");

        // A promoter whose invite code some customers sign up with, so orders earn commission.
        using var promoter = await SoakCustomer.LoginAsync(mall, stats, "soak-promoter", 0, null, cancellationToken);
        Expect(await promoter.Client.PostAsync("me/distribution/apply", new { }, cancellationToken), "promoter application");
        var promoterId = (await promoter.Client.GetAsync("me", cancellationToken)).Body.GetProperty("customerId").GetString()!;
        Expect(await admin.PostAsync($"manage/promoters/{promoterId}/approve", new { }, cancellationToken), "promoter approval");
        var inviteCode = (await promoter.Client.GetAsync("me/distribution", cancellationToken)).Body.GetProperty("inviteCode").GetString()!;

        var catalog = new SoakCatalog
        {
            Plain = [.. tea, .. teapot],
            GroupSku = group[0],
            PresaleSku = presale[0],
            GroupCampaignId = campaign.Id(),
            InviteCode = inviteCode,
        };
        await catalog.OpenNextPresaleAsync(admin, refundable: false, cancellationToken);
        return catalog;
    }

    /// <summary>A new presale: deposits for 20 s, then the balance for 25 s; every other one refunds unpaid deposits.</summary>
    public async Task OpenNextPresaleAsync(MallClient admin, bool refundable, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var window = new PresaleWindow(string.Empty, now.AddSeconds(-1), now.AddSeconds(20), now.AddSeconds(45), refundable);
        var created = await admin.PostAsync(
            "manage/presale-campaigns",
            new
            {
                skuId = PresaleSku.SkuId,
                depositFen = PresaleDepositFen,
                depositValueFen = 10000,
                finalPriceFen = 39900,
                depositStartsAt = window.DepositStartsAt,
                depositEndsAt = window.DepositEndsAt,
                balanceStartsAt = window.DepositEndsAt,
                balanceEndsAt = window.BalanceEndsAt,
                depositRefundable = refundable,
                reminderTemplateId = "tmpl-soak-balance",
            },
            cancellationToken);
        Expect(created, "presale campaign");
        AddPresale(window with { CampaignId = created.Id() });
    }

    private static async Task<IReadOnlyList<SoakSku>> ProductAsync(MallClient admin, string title, (long PriceFen, long Stock)[] skus, CancellationToken cancellationToken)
    {
        var created = await admin.PostAsync(
            "manage/products",
            new { title, categoryId = "soak", status = "onSale", skus = skus.Select((s, i) => new { name = $"规格{i + 1}", priceFen = s.PriceFen, initialStock = s.Stock }).ToArray() },
            cancellationToken);
        Expect(created, "product");
        var product = created.Body.GetProperty("product");
        return [.. product.GetProperty("skus").EnumerateArray().Select((sku, i) => new SoakSku(product.GetProperty("id").GetString()!, sku.GetProperty("id").GetString()!, skus[i].PriceFen, skus[i].Stock))];
    }

    private static void Expect(MallResponse response, string what)
    {
        if (!response.Ok)
        {
            throw new InvalidOperationException($"Setting up the {what} failed: {(int)response.Status} {response.Body}");
        }
    }
}

/// <summary>A flash sale the operator created: customers reserve in it while it runs.</summary>
public sealed record FlashWindow(string SaleId, string SkuId, int Quantity, int PerCustomerLimit, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool EndedEarly = false);

public sealed record PresaleWindow(string CampaignId, DateTimeOffset DepositStartsAt, DateTimeOffset DepositEndsAt, DateTimeOffset BalanceEndsAt, bool Refundable);
