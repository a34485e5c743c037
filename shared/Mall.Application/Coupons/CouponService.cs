using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Inventory;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Coupons;

/// <summary>
/// Coupon templates and the coupons customers hold. Issuing goes through two guarded counters —
/// the template's total quota and the customer's limit — marked with the coupon's id, so concurrent
/// claims never over-issue and a repeated grant never issues twice.
/// </summary>
public sealed partial class CouponService(
    IDocumentCollection<CouponTemplate> templates,
    IDocumentCollection<Coupon> coupons,
    CounterStore counters,
    TimeProvider time,
    ILogger<CouponService> logger)
{
    public Task<CouponTemplate> CreateTemplateAsync(CouponTemplateRequest request, CancellationToken cancellationToken) =>
        CreateTemplateAsync(Ids.New("CT"), request, cancellationToken);

    /// <summary>A template under a chosen id, so settings can name it (sample data, fixtures).</summary>
    public async Task<CouponTemplate> CreateTemplateAsync(string templateId, CouponTemplateRequest request, CancellationToken cancellationToken)
    {
        var template = new CouponTemplate
        {
            Id = templateId,
            Name = request.Name!.Trim(),
            Kind = request.Kind!.Value,
            AmountFen = request.AmountFen ?? 0,
            MinimumSpendFen = request.MinimumSpendFen ?? 0,
            PercentOffBps = request.PercentOffBps ?? 0,
            MaxDiscountFen = request.MaxDiscountFen ?? 0,
            ValidFrom = request.ValidFrom,
            ValidUntil = request.ValidUntil,
            ValidDaysAfterClaim = request.ValidDaysAfterClaim,
            PerCustomerLimit = request.PerCustomerLimit!.Value,
            TotalQuota = request.TotalQuota!.Value,
            Claimable = request.Claimable ?? true,
        };
        await templates.InsertAsync(DocumentKey.Single(template.Id), template, [], cancellationToken);
        return template;
    }

    public async Task<TemplateView> GetTemplateAsync(string templateId, CancellationToken cancellationToken) =>
        new(await TemplateAsync(templateId, cancellationToken), await counters.ValueAsync(QuotaKey(templateId), cancellationToken));

    /// <summary>A customer claims a claimable coupon.</summary>
    public async Task<CouponView> ClaimAsync(string customerId, string templateId, CancellationToken cancellationToken)
    {
        var template = await TemplateAsync(templateId, cancellationToken);
        if (!template.Claimable)
        {
            throw DomainException.NotFound($"Coupon {templateId}");
        }

        return View(template, await IssueAsync(template, customerId, Ids.New("CP"), "claim", cancellationToken));
    }

    /// <summary>
    /// Grants a coupon for a reason (a segment's gift pack, a wake-up…). The grant key makes it
    /// idempotent: the same grant never issues twice. Returns null when quota or limit are used up, or
    /// when the template the settings name does not exist (logged: a timer must not stall on it).
    /// </summary>
    public async Task<Coupon?> GrantAsync(string customerId, string templateId, string grantKey, CancellationToken cancellationToken)
    {
        if ((await templates.FindAsync(DocumentKey.Single(templateId), cancellationToken))?.Value is not { } template)
        {
            LogMissingTemplate(logger, templateId, grantKey);
            return null;
        }

        try
        {
            return await IssueAsync(template, customerId, GrantedCouponId(customerId, templateId, grantKey), grantKey, cancellationToken);
        }
        catch (DomainException exception) when (exception.Code is ErrorCode.CouponQuotaExhausted or ErrorCode.CouponLimitReached)
        {
            return null;
        }
    }

    /// <summary>
    /// Whether <see cref="GrantAsync"/> would issue a coupon of the template to the customer now (it exists, is
    /// still valid, has quota left and the customer is below its limit). A check only: a racing claim may still take the last one.
    /// </summary>
    public async Task<bool> GrantableAsync(string customerId, string templateId, CancellationToken cancellationToken)
    {
        if ((await templates.FindAsync(DocumentKey.Single(templateId), cancellationToken))?.Value is not { } template)
        {
            return false;
        }

        var now = time.GetUtcNow();
        return template.ValidityFor(now).Until > now
            && await counters.ValueAsync(QuotaKey(templateId), cancellationToken) < template.TotalQuota
            && await counters.ValueAsync(PerCustomerKey(templateId, customerId), cancellationToken) < template.PerCustomerLimit;
    }

    /// <summary>Takes back the coupon a grant issued (see <see cref="Coupon.Revoke"/>); a repeat changes nothing.</summary>
    public async Task<CouponRevocation> RevokeGrantAsync(string customerId, string templateId, string grantKey, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(customerId, GrantedCouponId(customerId, templateId, grantKey));
        if (await coupons.FindAsync(key, cancellationToken) is null)
        {
            return CouponRevocation.NotIssued;
        }

        var revoked = await coupons.UpdateAsync(key, $"Coupon {key.RowKey}", c => c.Revoke(time.GetUtcNow()), cancellationToken);
        return revoked.Status == CouponStatus.Revoked ? CouponRevocation.Revoked : CouponRevocation.RevokedWhenReturned;
    }

    public async Task<IReadOnlyList<CouponView>> MineAsync(string customerId, CancellationToken cancellationToken)
    {
        var page = await coupons.QueryAsync(new DocumentQuery { PartitionKey = customerId }, null, 500, cancellationToken);
        var views = new List<CouponView>();
        foreach (var coupon in page.Items.Select(c => c.Value))
        {
            views.Add(View(await TemplateAsync(coupon.TemplateId, cancellationToken), coupon));
        }

        return views.OrderBy(v => v.Status).ThenBy(v => v.ValidUntil).ToList();
    }

    /// <summary>What the coupon takes off these goods and shipping, if the customer can use it now (no side effects).</summary>
    public async Task<CouponDiscount> QuoteAsync(string customerId, string couponId, long goodsFen, long shippingFen, CancellationToken cancellationToken)
    {
        var coupon = await CouponAsync(customerId, couponId, cancellationToken);
        coupon.EnsureUsable(customerId, time.GetUtcNow());
        return (await TemplateAsync(coupon.TemplateId, cancellationToken)).DiscountFor(goodsFen, shippingFen);
    }

    public Task UseAsync(string customerId, string couponId, string orderId, CancellationToken cancellationToken) =>
        coupons.UpdateAsync(new DocumentKey(customerId, couponId), $"Coupon {couponId}", c => c.Use(customerId, orderId, time.GetUtcNow()), cancellationToken);

    public Task ReturnAsync(string customerId, string couponId, string orderId, CancellationToken cancellationToken) =>
        coupons.UpdateAsync(new DocumentKey(customerId, couponId), $"Coupon {couponId}", c => c.Return(orderId, time.GetUtcNow()), cancellationToken);

    private async Task<Coupon> IssueAsync(CouponTemplate template, string customerId, string couponId, string reason, CancellationToken cancellationToken)
    {
        var key = new DocumentKey(customerId, couponId);
        if ((await coupons.FindAsync(key, cancellationToken))?.Value is { } existing)
        {
            return existing;
        }

        var now = time.GetUtcNow();
        var (validFrom, validUntil) = template.ValidityFor(now);
        if (validUntil <= now)
        {
            throw new DomainException(ErrorCode.CouponUnavailable, $"{template.Name} is no longer valid.");
        }

        var operation = "coupon:" + couponId;
        if (await counters.ApplyAsync(QuotaKey(template.Id), operation, 1, 0, template.TotalQuota, cancellationToken) == CounterOutcome.Refused)
        {
            throw new DomainException(ErrorCode.CouponQuotaExhausted, $"{template.Name} has all been claimed.");
        }

        var perCustomer = PerCustomerKey(template.Id, customerId);
        if (await counters.ApplyAsync(perCustomer, operation, 1, 0, template.PerCustomerLimit, cancellationToken) == CounterOutcome.Refused)
        {
            await counters.RevertAsync(QuotaKey(template.Id), operation, CancellationToken.None);
            throw new DomainException(ErrorCode.CouponLimitReached, $"You already hold {template.PerCustomerLimit} of {template.Name}.");
        }

        var coupon = new Coupon
        {
            Id = couponId,
            TemplateId = template.Id,
            CustomerId = customerId,
            Status = CouponStatus.Available,
            ValidFrom = validFrom,
            ValidUntil = validUntil,
            IssuedAt = now,
            Reason = reason,
        };
        try
        {
            await coupons.InsertAsync(key, coupon, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The same grant raced itself; the counters are marked with the same operation, so nothing was counted twice.
            coupon = (await coupons.FindAsync(key, cancellationToken))!.Value;
        }

        await counters.SettleAsync(QuotaKey(template.Id), operation, cancellationToken);
        await counters.SettleAsync(perCustomer, operation, cancellationToken);
        return coupon;
    }

    public async Task<CouponTemplate> TemplateAsync(string templateId, CancellationToken cancellationToken) =>
        (await templates.FindAsync(DocumentKey.Single(templateId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Coupon {templateId}");

    private async Task<Coupon> CouponAsync(string customerId, string couponId, CancellationToken cancellationToken) =>
        (await coupons.FindAsync(new DocumentKey(customerId, couponId), cancellationToken))?.Value ?? throw DomainException.NotFound($"Coupon {couponId}");

    private static DocumentKey QuotaKey(string templateId) => new($"coupon|{templateId}", "issued");

    private static DocumentKey PerCustomerKey(string templateId, string customerId) => new(QuotaKey(templateId).PartitionKey, "customer|" + customerId);

    /// <summary>The coupon a grant issues: the same grant, the same coupon.</summary>
    private static string GrantedCouponId(string customerId, string templateId, string grantKey) => Ids.Derive("CP", customerId, templateId, grantKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Coupon template {TemplateId} named in the settings does not exist; grant {GrantKey} skipped")]
    private static partial void LogMissingTemplate(ILogger logger, string templateId, string grantKey);

    private static CouponView View(CouponTemplate template, Coupon coupon) => new(
        coupon.Id, template.Id, template.Name, template.Kind, coupon.Status, template.AmountFen, template.MinimumSpendFen, template.PercentOffBps, template.MaxDiscountFen,
        coupon.ValidFrom, coupon.ValidUntil, coupon.UsedByOrderId);
}
