using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Mall.Infrastructure.Workflows;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Platform;

/// <summary>
/// The event path's functions: the dispatcher on the dispatch queue (the one function that delivers
/// events, so the one that binds the durable client handlers signal orchestrations with), and the
/// operator's view of deliveries that kept failing.
/// </summary>
[CalledBy(Caller.Operator)]
public sealed partial class EventFunctions(Api api, EventDispatcher dispatcher, IDispatchQueue queue, ILogger<EventFunctions> logger)
{
    /// <summary>
    /// Dispatches the outboxes a message names. A failure leaves the message to the queue's retries
    /// (host.json extensions.queues); failing subscribers are retried and parked by the dispatcher itself.
    /// </summary>
    [Function("Platform_DispatchEvents")]
    public Task Dispatch([QueueTrigger("%Events:DispatchQueue%")] string message, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        var request = JsonSerializer.Deserialize<DispatchRequest>(message, MallJson.Options)
            ?? throw new InvalidOperationException("The dispatch message is empty.");
        return dispatcher.DispatchAsync(request, new EventContext(new DurableWorkflowClient(durable)), cancellationToken);
    }

    /// <summary>
    /// Every 15 minutes: messages the queue trigger gave up on (storage unreachable, a defect since
    /// fixed) go back on the dispatch queue; their outboxes still hold the events.
    /// </summary>
    [Function("Platform_RedriveDispatch")]
    public async Task Redrive([TimerTrigger("0 */15 * * * *")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var moved = await queue.RedrivePoisonedAsync(cancellationToken);
        if (moved > 0)
        {
            LogRedriven(logger, moved);
        }
    }

    /// <summary>Deliveries parked after failing too often, with their event and last error.</summary>
    [Answers(200, typeof(ResultPage<ParkedEvent>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_ListParkedEvents")]
    public Task<IActionResult> ListParked([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/events/parked")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await dispatcher.ListParkedAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    /// <summary>Runs a parked delivery again now; it stays parked (with the new error) if it fails again.</summary>
    [Answers(200, typeof(EventDelivery))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_RetryParkedEvent")]
    public Task<IActionResult> RetryParked(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/events/parked/{parkedId}/retry")] HttpRequest request,
        string parkedId,
        [DurableClient] DurableTaskClient durable) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await dispatcher.RetryParkedAsync(parkedId, new EventContext(new DurableWorkflowClient(durable)), request.HttpContext.RequestAborted)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Moved {Count} dispatch message(s) back from the poison queue")]
    private static partial void LogRedriven(ILogger logger, int count);
}
