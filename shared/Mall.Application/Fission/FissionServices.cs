using FluentValidation;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Application.Fission;

/// <summary>Social fission's registrations, kept apart so the shared registration file only calls this.</summary>
public static class FissionServices
{
    public static IServiceCollection AddFission(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSettings<FissionOptions>(configuration, FissionOptions.SectionName);
        services.AddSingleton<FissionControls>();
        services.AddSingleton<IValidator<MechanicControlRequest>, MechanicControlRequestValidator>();
        return services;
    }
}
