using Mall.Application;
using Mall.Functions.Http;
using Mall.Functions.Platform;
using Mall.Infrastructure;
using Mall.Infrastructure.WeChat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Functions;

/// <summary>
/// Everything the function classes need, registered once for both hosts: the Azure Functions worker
/// (Program.cs) and the local development host.
/// </summary>
public static class MallFunctionsServices
{
    public static IServiceCollection AddMallFunctions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMallApplication(configuration);
        services.AddMallInfrastructure(configuration);
        services.AddWeChat(configuration);
        services.AddSingleton<Api>();
        services.AddMallTelemetry(configuration);
        return services;
    }
}
