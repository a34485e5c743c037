using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Fission;

/// <summary>Social fission's registrations, kept apart so the shared registration file only calls this.</summary>
public static class FissionServices
{
    public static IServiceCollection AddFission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<FissionOptions>(configuration, FissionOptions.SectionName, o =>
        {
            if (new[] { o.Bargains, o.CardCollecting, o.ShareRewards }.Any(d => d.DailyBudgetFen is < 0 or > Mall.Domain.Fission.MechanicControl.MaxDailyBudgetFen))
            {
                throw new OptionsValidationException(FissionOptions.SectionName, typeof(FissionOptions), ["Each mechanic's DailyBudgetFen is 0–10,000,000,000 fen."]);
            }
        });
        services.AddSingleton<FissionControls>();
        services.AddSingleton<IValidator<MechanicControlRequest>, MechanicControlRequestValidator>();
        return services;
    }
}
