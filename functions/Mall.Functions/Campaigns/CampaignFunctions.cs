using System.Globalization;
using Mall.Application.Campaigns;
using Mall.Application.Compliance;
using Mall.Domain.Campaigns;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Mall.Infrastructure.Scheduling;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Campaigns;

/// <summary>The campaign calendar 营销日历 for operators: flash-slot templates, campaigns, the calendar and its figures.</summary>
[CalledBy(Caller.Operator)]
public sealed class CampaignFunctions(
    Api api,
    FlashSlotPlanner planner,
    CampaignService campaigns,
    CalendarService calendar,
    DueWorkProcessor processor,
    TimeProvider time,
    CampaignCompliance compliance)
{
    /// <summary>The ?days= CST days (default 7, at most 62) from ?from= (default today): flash slots, campaigns, announcements, brand days.</summary>
    [Answers(200, typeof(CalendarView))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Query("days", typeof(int), "1–62 days (CalendarService.MaxDays), 7 by default.")]
    [Query("from", typeof(DateOnly), "The first CST day (yyyy-MM-dd); today by default.")]
    [Function("Manage_Calendar")]
    public Task<IActionResult> Calendar([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/calendar")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var days = request.Query["days"].ToString() is { Length: > 0 } text
                ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= CalendarService.MaxDays
                    ? n
                    : throw DomainException.Validation("days", $"Must be a whole number of days, 1–{CalendarService.MaxDays}.")
                : 7;
            return ApiResults.Ok(await calendar.CalendarAsync(Api.DateParameter(request, "from"), days, request.HttpContext.RequestAborted));
        });

    /// <summary>Runs the calendar now instead of waiting for its timers: plans the flash slots again and reaches every due milestone.</summary>
    [Answers(200, typeof(CalendarRunView))]
    [Refuses(ErrorCode.IdempotencyKeyReused, ErrorCode.ValidationFailed)]
    [Function("Manage_RunCalendar")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/calendar/run")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var plan = await planner.PlanAsync(force: true, request.HttpContext.RequestAborted);
            var work = await processor.RunAsync(CampaignTimers.Kinds, request.HttpContext.RequestAborted);
            return ApiResults.Ok(new CalendarRunView(plan, work));
        });

    /// <summary>The brand day of ?month= (yyyy-MM, default this CST month) and its share of the month's GMV.</summary>
    [Answers(200, typeof(BrandDayReport))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Query("month", typeof(string), "A month (yyyy-MM); the current CST month by default.")]
    [Function("Manage_BrandDayReport")]
    public Task<IActionResult> BrandDay([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/calendar/brand-day")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var first = Api.MonthParameter(request, "month", ChinaTime.DateOf(time.GetUtcNow()));
            return ApiResults.Ok(await calendar.BrandDayAsync(first.Year, first.Month, request.HttpContext.RequestAborted));
        });

    /// <summary>Participants of the campaigns started in the last ?days= (default 30): announced against unannounced.</summary>
    [Answers(200, typeof(ParticipationReport))]
    [Query("days", typeof(int), "1–366 days, 30 by default.")]
    [Function("Manage_CampaignParticipation")]
    public Task<IActionResult> Participation([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/calendar/participation")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await calendar.ParticipationAsync(Api.DaysParameter(request), request.HttpContext.RequestAborted)));

    [Accepts(typeof(FlashSlotTemplateRequest))]
    [Answers(201, typeof(FlashSlotTemplate))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreateFlashSlotTemplate")]
    public Task<IActionResult> CreateTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/flash-slot-templates")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<FlashSlotTemplateRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(templateId: null), operatorId, () => planner.CreateAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [Answers(200, typeof(FlashSlotTemplateList))]
    [Function("Manage_ListFlashSlotTemplates")]
    public Task<IActionResult> ListTemplates([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/flash-slot-templates")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var book = await planner.BookAsync(request.HttpContext.RequestAborted);
            return ApiResults.Ok(new FlashSlotTemplateList(book.Templates, book.Version));
        });

    /// <summary>Replaces a template; days not planned yet follow the new terms (sales already created stay).</summary>
    [Accepts(typeof(FlashSlotTemplateRequest))]
    [Answers(200, typeof(FlashSlotTemplate))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.NotFound)]
    [Function("Manage_UpdateFlashSlotTemplate")]
    public Task<IActionResult> UpdateTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/flash-slot-templates/{templateId}")] HttpRequest request, string templateId) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<FlashSlotTemplateRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(templateId), operatorId, () => planner.UpdateAsync(templateId, body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Ok(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [Answers(204)]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_DeleteFlashSlotTemplate")]
    public Task<IActionResult> DeleteTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "manage/flash-slot-templates/{templateId}")] HttpRequest request, string templateId) =>
        api.ForAdminAsync(request, async _ =>
        {
            await planner.DeleteAsync(templateId, request.HttpContext.RequestAborted);
            return ApiResults.NoContent();
        });

    /// <summary>Puts a discount, brand day or festival on the calendar; the Idempotency-Key makes a retry return the same campaign.</summary>
    [Accepts(typeof(CampaignRequest))]
    [Answers(201, typeof(CampaignView))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.Conflict, ErrorCode.IdempotencyKeyRequired, ErrorCode.IdempotencyKeyReused, ErrorCode.NotFound, ErrorCode.ProductNotOnSale)]
    [Idempotent]
    [Function("Manage_CreateCampaign")]
    public Task<IActionResult> CreateCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<CampaignRequest>(request);
            var key = Api.IdempotencyKey(request, "put the campaign on the calendar twice");
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, Ids.Derive("CC", "campaign", key), () => campaigns.CreateAsync(key, body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [Answers(200, typeof(CampaignView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_GetCampaign")]
    public Task<IActionResult> GetCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/campaigns/{campaignId}")] HttpRequest request, string campaignId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await campaigns.GetAsync(campaignId, request.HttpContext.RequestAborted)));

    [Answers(200, typeof(CampaignView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_CancelCampaign")]
    public Task<IActionResult> CancelCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/campaigns/{campaignId}/cancel")] HttpRequest request, string campaignId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await campaigns.CancelAsync(campaignId, request.HttpContext.RequestAborted)));
}

/// <summary>What POST manage/calendar/run did: the day's flash plan and the due work it ran.</summary>
public sealed record CalendarRunView(FlashPlanRun FlashPlan, DueWorkRunSummary DueWork);

/// <summary>The flash slot templates and the book's version.</summary>
public sealed record FlashSlotTemplateList(IReadOnlyList<FlashSlotTemplate> Items, int Version);
