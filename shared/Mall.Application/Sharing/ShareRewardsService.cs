using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Fission;
using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Fission;
using Mall.Domain.Orders;
using Mall.Domain.Sharing;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Sharing;

/// <summary>
/// Tiered share rewards 阶梯奖励. A new customer brought by a sharer (their referrer, bound once at first
/// login through a share link or an invite code) counts once their first paid order has kept its money
/// past the after-sale window; reaching a tier grants its coupon once, within the mechanic's daily budget.
/// Nothing is earned for sharing itself. Every step is idempotent for the life of its operation: the credit
/// is one conditional insert per invitee, the count a guarded counter under the invitee's id, the grant a
/// coupon grant key and a budget reservation under the same key.
/// </summary>
public sealed partial class ShareRewardsService(
    IDocumentCollection<ShareRewardProgram> programs,
    IDocumentCollection<ShareProgramCalendar> calendars,
    IDocumentCollection<ShareCredit> credits,
    IDocumentCollection<ShareTierGrant> grants,
    IDocumentCollection<CustomerOrderEntry> customerOrders,
    CustomerService customers,
    OrderStore orders,
    CouponService coupons,
    CounterStore counters,
    FissionControls controls,
    IDueWorkScheduler scheduler,
    OrderOptions orderOptions,
    TimeProvider time,
    CustomerPseudonyms pseudonyms,
    ILogger<ShareRewardsService> logger)
    : IEventHandler<OrderPaid>, IEventHandler<OrderAfterSaleClosed>, IEventHandler<OrderRefunded>
{
    public const string GrantWork = "share-tier-grants";

    private const string ProgramsPartition = "programs";

    private static readonly DocumentKey CalendarKey = DocumentKey.Single("calendar");

    /// <summary>Saves a program; its window may not overlap another's, so each first order counts for one program at most.</summary>
    public async Task<ShareRewardProgram> CreateProgramAsync(ShareRewardProgramRequest request, CancellationToken cancellationToken)
    {
        var tiers = new List<ShareRewardTier>();
        foreach (var (tier, index) in request.Tiers!.Select((t, i) => (t, i)))
        {
            var template = await TemplateAsync(tier.CouponTemplateId!, $"tiers[{index}].couponTemplateId", cancellationToken);
            tiers.Add(new ShareRewardTier(tier.Invitees!.Value, template.Id, template.MostOffFen(orderOptions.ShippingFeeFen)));
        }

        var program = new ShareRewardProgram(
            Ids.New("SR"),
            request.Name!.Trim(),
            request.StartsAt!.Value,
            request.EndsAt!.Value,
            request.Counts ?? ShareCounting.NewPayingCustomers,
            tiers.OrderBy(t => t.Invitees).ToList(),
            time.GetUtcNow());
        await calendars.TransitionAsync(
            CalendarKey,
            current =>
            {
                var calendar = current?.Value ?? ShareProgramCalendar.Empty;
                if (calendar.Overlapping(program) is { } overlapping)
                {
                    throw new DomainException(ErrorCode.Conflict, $"Program {overlapping.Id} runs at the same time; share-reward programs may not overlap.", new Dictionary<string, string[]>
                    {
                        ["startsAt"] = [$"Overlaps {overlapping.Name} ({overlapping.StartsAt:u} – {overlapping.EndsAt:u})."],
                    });
                }

                var next = calendar.With(program, time.GetUtcNow())
                    ?? throw new DomainException(ErrorCode.Conflict, $"{ShareProgramCalendar.MaxKept} programs are yet to end; save this one when one has ended.");
                return Decision.Write(next, true);
            },
            cancellationToken);
        try
        {
            // Kept for good (the calendar drops long-ended programs); credits and grants look programs up by id.
            await programs.InsertAsync(new DocumentKey(ProgramsPartition, program.Id), program, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
        }

        return program;
    }

    /// <summary>Programs not yet ended and the latest ended ones, newest start first (at most <see cref="ShareProgramCalendar.MaxKept"/>).</summary>
    public async Task<IReadOnlyList<ShareRewardProgram>> ProgramsAsync(CancellationToken cancellationToken) =>
        (await CalendarAsync(cancellationToken)).Programs.OrderByDescending(p => p.StartsAt).ToList();

    /// <summary>The sharer's progress in the running program (or the latest one).</summary>
    public async Task<MyShareRewardsView> MineAsync(string customerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = await ProgramsAsync(cancellationToken);
        if ((all.FirstOrDefault(p => p.IsRunning(now)) ?? all.FirstOrDefault(p => p.StartsAt <= now)) is not { } program)
        {
            return new MyShareRewardsView(null, null, null, 0, 0, []);
        }

        var credited = await counters.ValueAsync(ShareCounters.Credited(program.Id, customerId), cancellationToken);
        var pending = await counters.ValueAsync(ShareCounters.Pending(program.Id, customerId), cancellationToken);
        var granted = await GrantedAsync(program.Id, customerId, cancellationToken);
        var tiers = program.Tiers.Select(t => new ShareTierView(
            t.Invitees,
            t.CouponTemplateId,
            granted.TryGetValue(t.Invitees, out var grant) ? ShareTierStatus.Granted : credited >= t.Invitees ? ShareTierStatus.Waiting : ShareTierStatus.Open,
            grant?.CouponId)).ToList();
        return new MyShareRewardsView(program.Id, program.Name, program.EndsAt, credited, pending, tiers);
    }

    /// <summary>
    /// An invitee's payment opens the credit of their first paid order (pending until its after-sale window closes).
    /// Which order is first is read from the invitee's orders, not from this event, so every payment's handler,
    /// in whatever order they run, opens the same credit.
    /// </summary>
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var invitee = await customers.GetAsync(paid.Order.CustomerId, cancellationToken);
        if (invitee.ReferrerId is not { } sharerId)
        {
            return;
        }

        var credit = (await credits.FindAsync(CreditKey(invitee.Id), cancellationToken))?.Value;
        if (credit is null)
        {
            if (await FirstPaidOrderAsync(invitee.Id, await orders.GetAsync(paid.Order.OrderId, cancellationToken), cancellationToken) is not { } first)
            {
                return;
            }

            var program = (await CalendarAsync(cancellationToken)).RunningAt(first.Payment!.PaidAt);
            credit = new ShareCredit(invitee.Id, sharerId, program?.Id, first.Id, first.Payment!.PaidAt);
            try
            {
                await credits.InsertAsync(CreditKey(invitee.Id), credit, [], cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // Another payment's handler opened it: the same credit.
                credit = (await credits.FindAsync(CreditKey(invitee.Id), cancellationToken))!.Value;
            }
        }

        if (credit.ProgramId is { } programId && credit.State == ShareCreditState.Pending)
        {
            await CountAsync(ShareCounters.Pending(programId, credit.SharerId), $"pending:{credit.InviteeId}", 1, cancellationToken);
        }
    }

    /// <summary>The first order's after-sale window closed: the credit counts if money was kept, and tiers reached are granted.</summary>
    public async Task HandleAsync(OrderAfterSaleClosed closed, EventContext context, CancellationToken cancellationToken)
    {
        if (await PendingCreditAsync(closed.Order, cancellationToken) is not { } credit)
        {
            return;
        }

        var order = await orders.GetAsync(closed.Order.OrderId, cancellationToken);
        var decided = credit.Decide((order.Payment?.AmountFen ?? 0) - order.RefundedFen, time.GetUtcNow());
        if (decided.State == ShareCreditState.Confirmed)
        {
            // Counted before the credit says so: a crash in between is finished by the redelivered event, counted once.
            await CountAsync(ShareCounters.Credited(decided.ProgramId!, decided.SharerId), $"credited:{decided.InviteeId}", 1, cancellationToken);
        }

        await DecideAsync(decided, cancellationToken);
        if (decided.State == ShareCreditState.Confirmed)
        {
            LogCredited(logger, pseudonyms.Of(decided.SharerId), pseudonyms.Of(decided.InviteeId), decided.ProgramId!);
            await GrantReachedTiersAsync(decided.ProgramId!, decided.SharerId, cancellationToken);
        }
    }

    /// <summary>The first order was refunded in full before its window closed: the credit never counts.</summary>
    public async Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken)
    {
        if (await PendingCreditAsync(refunded.Order, cancellationToken) is { } credit)
        {
            await DecideAsync(credit.RefundedInFull(time.GetUtcNow()), cancellationToken);
        }
    }

    /// <summary>
    /// Grants every tier the sharer's count has reached and not been granted: each within the day's budget; when
    /// the mechanic is off or the budget spent, it waits (due work tries again the next CST day). Safe to repeat.
    /// </summary>
    public async Task<DueWorkResult> GrantReachedTiersAsync(string programId, string sharerId, CancellationToken cancellationToken)
    {
        var program = (await programs.FindAsync(new DocumentKey(ProgramsPartition, programId), cancellationToken))?.Value
            ?? (await CalendarAsync(cancellationToken)).Programs.FirstOrDefault(p => p.Id == programId);
        if (program is null)
        {
            return DueWorkResult.Done;
        }

        var credited = await counters.ValueAsync(ShareCounters.Credited(programId, sharerId), cancellationToken);
        var granted = await GrantedAsync(programId, sharerId, cancellationToken);
        var due = program.Reached(credited).Where(t => !granted.ContainsKey(t.Invitees)).ToList();
        if (due.Count == 0)
        {
            return DueWorkResult.Done;
        }

        var now = time.GetUtcNow();
        var retryAt = ChinaTime.StartOf(ChinaTime.DateOf(now).AddDays(1));

        // Waiting is written before it can be needed, so a crash below still retries tomorrow.
        await scheduler.ScheduleAsync(new DueWork(GrantWork, $"{programId}|{sharerId}", retryAt), cancellationToken);
        foreach (var tier in due)
        {
            var grantKey = $"share-tier:{programId}:{sharerId}:{tier.Invitees}";
            BudgetCharge charge;
            try
            {
                charge = await controls.ChargeAsync(FissionMechanic.ShareRewards, ChinaTime.DateOf(now), grantKey, tier.ValueFen, cancellationToken);
            }
            catch (DomainException exception) when (exception.Code is ErrorCode.BudgetExhausted or ErrorCode.MechanicSwitchedOff)
            {
                LogTierWaiting(logger, pseudonyms.Of(sharerId), programId, tier.Invitees, exception.Code.ToWire());
                return DueWorkResult.Later(retryAt);
            }

            var coupon = await coupons.GrantAsync(sharerId, tier.CouponTemplateId, grantKey, cancellationToken);
            if (coupon is null)
            {
                // The template's quota is spent: nothing was given, so nothing is spent; the tier waits for more quota.
                await controls.ReleaseAsync(charge, cancellationToken);
                LogTierWaiting(logger, pseudonyms.Of(sharerId), programId, tier.Invitees, ErrorCode.CouponQuotaExhausted.ToWire());
                return DueWorkResult.Later(retryAt);
            }

            try
            {
                await grants.InsertAsync(
                    GrantKey(programId, sharerId, tier.Invitees),
                    new ShareTierGrant(programId, sharerId, tier.Invitees, tier.CouponTemplateId, coupon.Id, now),
                    [new ShareRewardGranted(sharerId, programId, tier.Invitees, tier.CouponTemplateId, coupon.Id) { OccurredAt = now }],
                    cancellationToken);
            }
            catch (ConcurrencyConflictException)
            {
                // A concurrent grant recorded it: the same coupon (one grant key).
            }

            await controls.SettleAsync(charge, cancellationToken);
        }

        return DueWorkResult.Done;
    }

    public Task<DueWorkResult> HandleGrantWorkAsync(DueWork work, CancellationToken cancellationToken)
    {
        var separator = work.Subject.IndexOf('|', StringComparison.Ordinal);
        return GrantReachedTiersAsync(work.Subject[..separator], work.Subject[(separator + 1)..], cancellationToken);
    }

    private static DocumentKey CreditKey(string inviteeId) => DocumentKey.Single(inviteeId);

    /// <summary>The tiers already granted to a sharer in a program, by their number of invitees (one partition, at most a tier each).</summary>
    private async Task<Dictionary<int, ShareTierGrant>> GrantedAsync(string programId, string sharerId, CancellationToken cancellationToken) =>
        (await grants.QueryAsync(new DocumentQuery { PartitionKey = GrantPartition(programId, sharerId) }, null, ShareRewardProgram.MaxTiers, cancellationToken))
            .Items.ToDictionary(g => g.Value.Invitees, g => g.Value);

    private async Task<ShareProgramCalendar> CalendarAsync(CancellationToken cancellationToken) =>
        (await calendars.FindAsync(CalendarKey, cancellationToken))?.Value ?? ShareProgramCalendar.Empty;

    /// <summary>
    /// The customer's earliest-placed paid order that sells goods: <paramref name="paid"/> unless one placed before
    /// it was paid too. A presale deposit is never it (its balance order is: a refund of the balance refunds the
    /// deposit, and the deposit has no after-sale window of its own); null while only a deposit is paid.
    /// Read once per invitee (their credit remembers it), from the oldest order up.
    /// </summary>
    private async Task<Order?> FirstPaidOrderAsync(string customerId, Order paid, CancellationToken cancellationToken)
    {
        var earlier = new List<CustomerOrderEntry>();
        await foreach (var entry in customerOrders.ScanAsync(new DocumentQuery { PartitionKey = customerId }, 1000, cancellationToken))
        {
            if (entry.Value.OrderId != paid.Id && (entry.Value.CreatedAt, entry.Value.OrderId).CompareTo((paid.CreatedAt, paid.Id)) < 0)
            {
                earlier.Add(entry.Value);
            }
        }

        foreach (var entry in earlier.OrderBy(e => e.CreatedAt).ThenBy(e => e.OrderId, StringComparer.Ordinal))
        {
            if (await orders.FindAsync(entry.OrderId, cancellationToken) is { Payment: not null, IsDeposit: false } order)
            {
                return order;
            }
        }

        return paid.IsDeposit ? null : paid;
    }

    private static string GrantPartition(string programId, string sharerId) => $"{programId}|{sharerId}";

    private static DocumentKey GrantKey(string programId, string sharerId, int invitees) =>
        new(GrantPartition(programId, sharerId), invitees.ToString("D5", System.Globalization.CultureInfo.InvariantCulture));

    private async Task<ShareCredit?> PendingCreditAsync(OrderFacts order, CancellationToken cancellationToken) =>
        (await credits.FindAsync(CreditKey(order.CustomerId), cancellationToken))?.Value is { State: ShareCreditState.Pending } credit && credit.OrderId == order.OrderId
            ? credit
            : null;

    private async Task DecideAsync(ShareCredit decided, CancellationToken cancellationToken)
    {
        await credits.TransitionAsync(
            CreditKey(decided.InviteeId),
            current => current?.Value is { State: ShareCreditState.Pending }
                ? Decision.Write(decided, true, decided.State == ShareCreditState.Confirmed
                    ? [new ShareCredited(decided.SharerId, decided.InviteeId, decided.ProgramId!, decided.OrderId) { OccurredAt = decided.DecidedAt!.Value }]
                    : [])
                : Decision.Keep<ShareCredit, bool>(false),
            cancellationToken);
        if (decided.ProgramId is { } programId && decided.State != ShareCreditState.Pending)
        {
            // Out of pending whichever way it went (and whichever decision wrote first).
            await CountAsync(ShareCounters.Pending(programId, decided.SharerId), $"decided:{decided.InviteeId}", -1, cancellationToken);
        }
    }

    private async Task CountAsync(DocumentKey key, string operationId, long delta, CancellationToken cancellationToken)
    {
        await counters.ApplyAsync(key, operationId, delta, long.MinValue, long.MaxValue, cancellationToken);
        await counters.SettleAsync(key, operationId, cancellationToken);
    }

    private async Task<Mall.Domain.Coupons.CouponTemplate> TemplateAsync(string templateId, string field, CancellationToken cancellationToken)
    {
        try
        {
            return await coupons.TemplateAsync(templateId, cancellationToken);
        }
        catch (DomainException exception) when (exception.Code == ErrorCode.NotFound)
        {
            throw DomainException.Validation(field, $"No coupon template {templateId}.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Share credit: customer {Sharer} brought customer {Invitee}, counted in program {ProgramId}")]
    private static partial void LogCredited(ILogger logger, string sharer, string invitee, string programId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Share tier of customer {Sharer} in {ProgramId} at {Invitees} waits: {Reason}")]
    private static partial void LogTierWaiting(ILogger logger, string sharer, string programId, int invitees, string reason);
}

/// <summary>Where a sharer's counts live: guarded counters beside stock, one per program and sharer.</summary>
public static class ShareCounters
{
    public static DocumentKey Credited(string programId, string sharerId) => new($"share-credited|{programId}", sharerId);

    public static DocumentKey Pending(string programId, string sharerId) => new($"share-pending|{programId}", sharerId);
}
