using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace Mall.LocalHost.RefusedApp;

/// <summary>One function per reason the local host refuses to start; the tests expect each reason.</summary>
public static class RefusedFunctions
{
    /// <summary>The Azure host refuses this one too: admin/… is its own route space.</summary>
    [Function("Refused_Route")]
    public static IActionResult ReservedRoute([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/things")] HttpRequest request) => new OkResult();

    [Function("Refused_Entity")]
    public static Task Entity([EntityTrigger] TaskEntityDispatcher dispatcher) => Task.CompletedTask;

    [Function("Refused_RequestData")]
    public static IActionResult RequestData([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "request-data")] HttpRequestData request) => new OkResult();

    [Function("Refused_Parameter")]
    public static IActionResult Parameter([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "items/{id}")] HttpRequest request, string itemId) => new OkResult();

    [Function("Refused_Setting")]
    public static void Setting([TimerTrigger("%NotConfigured%")] TimerInfo timer)
    {
    }

    /// <summary>Quartz's "last day of the month": NCrontab, the timer extension's parser, has no L.</summary>
    [Function("Refused_Cron")]
    public static void Cron([TimerTrigger("0 0 0 L * *")] TimerInfo timer)
    {
    }

    /// <summary>"api" + "/" + "/orders/": the host's route builder cannot parse it, and the host does not start.</summary>
    [Function("Refused_LeadingSlash")]
    public static IActionResult LeadingSlash([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "/orders/")] HttpRequest request) => new OkResult();

    [Function("Refused_Constraint")]
    public static IActionResult Constraint([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "parts/{id:nosuch}")] HttpRequest request, string id) => new OkResult();

    [Function("Refused_Any")]
    public static IActionResult Any([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/{id}")] HttpRequest request, string id) => new OkResult();

    /// <summary>Refused_Any is named before it and its route takes every request of this one.</summary>
    [Function("Refused_Thing")]
    public static IActionResult Thing([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "things/new")] HttpRequest request) => new OkResult();

    [Function("Refused_Context")]
    public static void Context([TimerTrigger("0 0 1 * * *")] TimerInfo timer, FunctionContext context)
    {
    }

    [Function("Refused_QueueName")]
    public static void QueueName([QueueTrigger("orders--eu")] string message)
    {
    }

    [Function("Refused_Connection")]
    public static void Connection([QueueTrigger("orders", Connection = "NotConfigured")] string message)
    {
    }

    [Function("Refused_BadConnection")]
    public static void BadConnection([QueueTrigger("orders", Connection = "BadStorage")] string message)
    {
    }

    /// <summary>Azure would use the app's identity (IdentityStorage__queueServiceUri); the local host needs a connection string.</summary>
    [Function("Refused_IdentityConnection")]
    public static void IdentityConnection([QueueTrigger("orders", Connection = "IdentityStorage")] string message)
    {
    }
}
