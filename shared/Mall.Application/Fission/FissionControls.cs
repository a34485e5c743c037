using System.Globalization;
using FluentValidation;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Fission;
using Mall.Domain.Inventory;

namespace Mall.Application.Fission;

/// <summary>A mechanic's setting until an operator changes it.</summary>
public sealed class MechanicDefaults
{
    public bool Enabled { get; set; } = true;

    /// <summary>Default 5,000 yuan a CST day.</summary>
    public long DailyBudgetFen { get; set; } = 500_000;
}

public sealed class FissionOptions
{
    public const string SectionName = "Fission";

    public MechanicDefaults Bargains { get; set; } = new();

    public MechanicDefaults CardCollecting { get; set; } = new();

    public MechanicDefaults ShareRewards { get; set; } = new();

    public MechanicDefaults For(FissionMechanic mechanic) => mechanic switch
    {
        FissionMechanic.Bargains => Bargains,
        FissionMechanic.CardCollecting => CardCollecting,
        _ => ShareRewards,
    };
}

public sealed record MechanicControlRequest(bool? Enabled, long? DailyBudgetFen);

public sealed class MechanicControlRequestValidator : AbstractValidator<MechanicControlRequest>
{
    public MechanicControlRequestValidator()
    {
        RuleFor(r => r.Enabled).NotNull();
        RuleFor(r => r.DailyBudgetFen).NotNull().InclusiveBetween(0, MechanicControl.MaxDailyBudgetFen);
    }
}

/// <param name="SpentTodayFen">Reserved today (CST), settled or still pending; never above the budget.</param>
public sealed record MechanicControlView(FissionMechanic Mechanic, bool Enabled, long DailyBudgetFen, long SpentTodayFen, string? ChangedBy, DateTimeOffset? ChangedAt);

/// <summary>A budget reservation: the CST day it counts against and the operation that made it.</summary>
public sealed record BudgetCharge(FissionMechanic Mechanic, DateOnly Day, string OperationId, long AmountFen);

/// <summary>
/// The operator's switch and daily budget of each fission mechanic. A mechanic spends by reserving an
/// amount against the day's budget under an operation id (a guarded counter, so racing reservations
/// never pass the cap and a retried one counts once); it settles the reservation when the reward is
/// actually taken, or releases it when it never will be.
/// </summary>
public sealed class FissionControls(IDocumentCollection<MechanicControl> controls, CounterStore counters, FissionOptions options, TimeProvider time)
{
    public async Task<IReadOnlyList<MechanicControlView>> ListAsync(CancellationToken cancellationToken)
    {
        var views = new List<MechanicControlView>();
        foreach (var mechanic in Enum.GetValues<FissionMechanic>())
        {
            views.Add(await ViewAsync(mechanic, cancellationToken));
        }

        return views;
    }

    public async Task<MechanicControlView> ViewAsync(FissionMechanic mechanic, CancellationToken cancellationToken)
    {
        var control = await ControlAsync(mechanic, cancellationToken);
        var spent = await counters.ValueAsync(BudgetKey(mechanic, Today), cancellationToken);
        return new MechanicControlView(mechanic, control.Enabled, control.DailyBudgetFen, spent, control.ChangedBy, control.ChangedAt);
    }

    public async Task<MechanicControlView> SetAsync(FissionMechanic mechanic, MechanicControlRequest request, string operatorId, CancellationToken cancellationToken)
    {
        var control = new MechanicControl(request.Enabled!.Value, request.DailyBudgetFen!.Value, operatorId, time.GetUtcNow());
        await controls.UpsertAsync(DocumentKey.Single(mechanic.ToString()), control, cancellationToken);
        return await ViewAsync(mechanic, cancellationToken);
    }

    /// <summary>Refuses with <see cref="ErrorCode.MechanicSwitchedOff"/> while the operator has switched the mechanic off.</summary>
    public async Task EnsureEnabledAsync(FissionMechanic mechanic, CancellationToken cancellationToken)
    {
        if (!(await ControlAsync(mechanic, cancellationToken)).Enabled)
        {
            throw SwitchedOff(mechanic);
        }
    }

    /// <summary>
    /// Reserves <paramref name="amountFen"/> of <paramref name="day"/>'s budget for <paramref name="operationId"/>;
    /// the same operation reserves once however often it is retried. Refuses when the mechanic is off or the
    /// day's budget would be passed (<see cref="ErrorCode.BudgetExhausted"/>).
    /// </summary>
    public async Task<BudgetCharge> ChargeAsync(FissionMechanic mechanic, DateOnly day, string operationId, long amountFen, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amountFen);
        var control = await ControlAsync(mechanic, cancellationToken);
        if (!control.Enabled)
        {
            throw SwitchedOff(mechanic);
        }

        var outcome = await counters.ApplyAsync(BudgetKey(mechanic, day), operationId, amountFen, 0, control.DailyBudgetFen, cancellationToken);
        if (outcome == CounterOutcome.Refused)
        {
            throw new DomainException(ErrorCode.BudgetExhausted, $"Today's budget for {Wire(mechanic)} is spent; please come back tomorrow.");
        }

        return new BudgetCharge(mechanic, day, operationId, amountFen);
    }

    /// <summary>The reward was taken: the reservation is final. Safe to repeat.</summary>
    public Task SettleAsync(BudgetCharge charge, CancellationToken cancellationToken) =>
        counters.SettleAsync(BudgetKey(charge.Mechanic, charge.Day), charge.OperationId, cancellationToken);

    /// <summary>The reward will never be taken: the day's budget gets the amount back. Safe to repeat; a settled charge stays.</summary>
    public Task ReleaseAsync(BudgetCharge charge, CancellationToken cancellationToken) =>
        counters.RevertAsync(BudgetKey(charge.Mechanic, charge.Day), charge.OperationId, cancellationToken);

    /// <summary>"cardCollecting": the name the API uses.</summary>
    public static string Wire(FissionMechanic mechanic) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(mechanic.ToString());

    /// <summary>The mechanic a route names, or a 404.</summary>
    public static FissionMechanic Parse(string name)
    {
        foreach (var mechanic in Enum.GetValues<FissionMechanic>())
        {
            if (Wire(mechanic) == name)
            {
                return mechanic;
            }
        }

        throw DomainException.NotFound("Mechanic");
    }

    private DateOnly Today => ChinaTime.DateOf(time.GetUtcNow());

    private static DocumentKey BudgetKey(FissionMechanic mechanic, DateOnly day) =>
        new($"fission-budget|{mechanic}", day.ToString("yyyyMMdd", CultureInfo.InvariantCulture));

    private static DomainException SwitchedOff(FissionMechanic mechanic) =>
        new(ErrorCode.MechanicSwitchedOff, $"{Wire(mechanic)} is switched off by the mall for now.");

    private async Task<MechanicControl> ControlAsync(FissionMechanic mechanic, CancellationToken cancellationToken)
    {
        if ((await controls.FindAsync(DocumentKey.Single(mechanic.ToString()), cancellationToken))?.Value is { } stored)
        {
            return stored;
        }

        var defaults = options.For(mechanic);
        return new MechanicControl(defaults.Enabled, defaults.DailyBudgetFen, null, null);
    }
}
