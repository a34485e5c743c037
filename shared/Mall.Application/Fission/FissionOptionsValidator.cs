using Mall.Application.Platform;
using Mall.Domain.Fission;

namespace Mall.Application.Fission;

internal sealed class FissionOptionsValidator() : SettingsValidator<FissionOptions>(FissionOptions.SectionName)
{
    protected override void Check(FissionOptions o, SettingChecks checks) => checks
        .InRange(o.Bargains.DailyBudgetFen, 0, MechanicControl.MaxDailyBudgetFen)
        .InRange(o.CardCollecting.DailyBudgetFen, 0, MechanicControl.MaxDailyBudgetFen)
        .InRange(o.ShareRewards.DailyBudgetFen, 0, MechanicControl.MaxDailyBudgetFen);
}
