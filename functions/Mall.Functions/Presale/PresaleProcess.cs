using Mall.Application.Presale;
using Mall.Domain.Presale;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace Mall.Functions.Presale;

/// <summary>The presale orchestration and its activities, as Durable Functions.</summary>
public sealed class PresaleProcess(PresaleService presales)
{
    [Function(PresaleOrchestrator.Name)]
    public static Task<PresaleStatus> Run([OrchestrationTrigger] TaskOrchestrationContext context, PresaleProcessInput input) =>
        new PresaleOrchestrator().RunAsync(context, input);

    [Function(PresaleOrchestrator.RemindActivity)]
    public Task Remind([ActivityTrigger] string reservationId, CancellationToken cancellationToken) =>
        presales.RemindAsync(reservationId, cancellationToken);

    [Function(PresaleOrchestrator.StatusActivity)]
    public Task<PresaleStatus> Status([ActivityTrigger] string reservationId, CancellationToken cancellationToken) =>
        presales.StatusAsync(reservationId, cancellationToken);

    [Function(PresaleOrchestrator.CloseWindowActivity)]
    public Task<PresaleStatus> CloseWindow([ActivityTrigger] string reservationId, CancellationToken cancellationToken) =>
        presales.CloseWindowAsync(reservationId, cancellationToken);
}
