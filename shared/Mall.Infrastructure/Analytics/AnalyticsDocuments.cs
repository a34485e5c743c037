using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Infrastructure.Analytics;

public static class AnalyticsDocuments
{
    /// <summary>Analytics' tables: the event ledger (its own rows, written in transactions) and the documents around it.</summary>
    public static IServiceCollection AddAnalyticsDocuments(this IServiceCollection services)
    {
        services.AddTable(TableEventLedger.TableName);
        services.AddSingleton<IEventLedger, TableEventLedger>();
        services.AddDocuments<HourSummary>("AnalyticsHours");
        services.AddDocuments<HourLateMark>("AnalyticsLateHours");
        services.AddDocuments<DaySummary>("AnalyticsDays");
        services.AddDocuments<Experiment>("Experiments");
        services.AddDocuments<ExperimentAssignmentRecord>("ExperimentAssignments");
        services.AddDocuments<AlertBook>("AlertBooks");
        return services;
    }
}
