using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Bargains;

/// <summary>Bargaining's registrations, kept apart so the shared registration file only calls this.</summary>
public static class BargainServices
{
    public static IServiceCollection AddBargains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<BargainOptions>(configuration, BargainOptions.SectionName);
        services.AddSingleton<BargainService>();
        services.AddDueWork<BargainService>(BargainWork.End, (s, work, ct) => s.HandleEndAsync(work.Subject, ct));
        services.AddSingleton<IValidator<BargainCampaignRequest>, BargainCampaignRequestValidator>();
        services.AddSingleton<IValidator<StartBargainRequest>, StartBargainRequestValidator>();
        services.AddSingleton<IValidator<BargainOrderRequest>, BargainOrderRequestValidator>();
        return services;
    }
}
