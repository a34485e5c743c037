using FluentValidation;
using Mall.Domain.Bargains;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Mall.Application.Bargains;

/// <summary>Bargaining's registrations, kept apart so the shared registration file only calls this.</summary>
public static class BargainServices
{
    public static IServiceCollection AddBargains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<BargainOptions>(configuration, BargainOptions.SectionName, o =>
        {
            if (o.DefaultHelpsToFloor is < 1 or > Bargain.MostHelps || o.DefaultTimeLimitHours is < 1 or > BargainCampaignRequestValidator.MaxTimeLimitHours)
            {
                throw new OptionsValidationException(BargainOptions.SectionName, typeof(BargainOptions), [$"DefaultHelpsToFloor is 1–{Bargain.MostHelps}, DefaultTimeLimitHours 1–{BargainCampaignRequestValidator.MaxTimeLimitHours}."]);
            }
        });
        services.AddSingleton<BargainService>();
        services.AddDueWork<BargainService>(BargainWork.End, (s, work, ct) => s.HandleEndAsync(work.Subject, ct));
        services.AddSingleton<IValidator<BargainCampaignRequest>, BargainCampaignRequestValidator>();
        services.AddSingleton<IValidator<StartBargainRequest>, StartBargainRequestValidator>();
        services.AddSingleton<IValidator<BargainOrderRequest>, BargainOrderRequestValidator>();
        return services;
    }
}
