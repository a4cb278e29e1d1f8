using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using NeuralStyle.Orleans.Client;
using NeuralStyle.Orleans.Hosting;
using Orleans;

namespace NeuralStyle.Server;

/// <summary>
/// The HTTP API (described at /openapi/v1.json). Every job call names the client's key (header <c>X-Api-Key</c>, or the
/// <c>key</c> query parameter where a browser cannot set headers); a job is visible only with the key it was submitted with.
/// </summary>
internal static class JobEndpoints
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void MapJobApi(this WebApplication app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/samples", () => Samples.Names).WithSummary("The names of the built-in sample images.");
        api.MapGet("/samples/{name}", (string name) => Samples.Read(name) is { } png ? Results.File(png, "image/png") : Results.NotFound())
            .WithSummary("A built-in sample image.");
        api.MapPost("/jobs", SubmitAsync).DisableAntiforgery()
            .WithSummary("Submits a job: form fields content (file) or contentSample, style (files) or styleSample, preset, size, iterations. Answers 202 with the job's id.");
        api.MapGet("/jobs", ListAsync).WithSummary("The client's jobs.");
        api.MapGet("/jobs/{id}", StatusAsync).WithSummary("A job's status.");
        api.MapGet("/jobs/{id}/events", EventsAsync).WithSummary("Server-sent events: the job's status whenever it changes, previews as data URLs (JPEG while it runs, the PNG result at the end), until it finishes.");
        api.MapGet("/jobs/{id}/result", ResultAsync).WithSummary("The result as PNG.");
        api.MapDelete("/jobs/{id}", CancelAsync).WithSummary("Cancels a job.");
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, IGrainFactory grains, IOptions<NeuralStyleServiceOptions> options, CancellationToken cancellationToken)
    {
        if (Client(request, grains) is not { } client)
        {
            return NoKey();
        }

        if (!request.HasFormContentType)
        {
            return Problem(StatusCodes.Status400BadRequest, "Send a multipart form.");
        }

        var limits = options.Value.Limits;
        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var content = await ImageAsync(form.Files.GetFile("content"), form["contentSample"], "content", limits).ConfigureAwait(false);
        if (content.Error is { } contentError)
        {
            return contentError;
        }

        var styles = new List<byte[]>();
        var files = form.Files.GetFiles("style");
        if (files.Count > limits.MaxStyles)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, $"At most {limits.MaxStyles} style images are allowed.");
        }

        foreach (var file in files.Count > 0 ? files.Cast<IFormFile?>() : [null])
        {
            var style = await ImageAsync(file, files.Count > 0 ? default : form["styleSample"], "style", limits).ConfigureAwait(false);
            if (style.Error is { } styleError)
            {
                return styleError;
            }

            styles.Add(style.Bytes!);
        }

        var jobOptions = new StyleJobOptions();
        if (!TryInt(form["size"], out var size) || !TryInt(form["iterations"], out var iterations))
        {
            return Problem(StatusCodes.Status400BadRequest, "size and iterations must be whole numbers.");
        }

        jobOptions = jobOptions with
        {
            Preset = string.IsNullOrWhiteSpace(form["preset"]) ? jobOptions.Preset : form["preset"].ToString(),
            ImageSize = size ?? jobOptions.ImageSize,
            Iterations = iterations,
        };
        try
        {
            var id = await client.SubmitAsync(new StyleJobRequest { Content = content.Bytes!, Styles = styles, Options = jobOptions }, cancellationToken).ConfigureAwait(false);
            return Results.Accepted($"/api/jobs/{id}", new { id });
        }
        catch (JobRejectedException ex)
        {
            return Problem(ex.Reason switch
            {
                JobRejection.TooLarge => StatusCodes.Status413PayloadTooLarge,
                JobRejection.TooManyJobs => StatusCodes.Status429TooManyRequests,
                _ => StatusCodes.Status400BadRequest,
            }, ex.Message);
        }
    }

    private static Task<IResult> ListAsync(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
        => Guarded(request, grains, async client => Results.Ok((await client.ListAsync(cancellationToken).ConfigureAwait(false)).Select(Describe)));

    private static Task<IResult> StatusAsync(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
        => Guarded(request, grains, async client => Results.Ok(Describe(await client.GetStatusAsync(id, false, cancellationToken).ConfigureAwait(false))));

    private static Task<IResult> CancelAsync(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
        => Guarded(request, grains, async client =>
        {
            await client.CancelAsync(id, cancellationToken).ConfigureAwait(false);
            return Results.NoContent();
        });

    private static Task<IResult> ResultAsync(string id, HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
        => Guarded(request, grains, async client =>
        {
            try
            {
                return Results.File(await client.GetResultAsync(id, cancellationToken).ConfigureAwait(false), "image/png", $"neural-style-{id}.png");
            }
            catch (InvalidOperationException ex)
            {
                return Problem(StatusCodes.Status409Conflict, ex.Message);
            }
        });

    private static async Task EventsAsync(string id, HttpContext context, IGrainFactory grains)
    {
        var cancellationToken = context.RequestAborted;
        if (Client(context.Request, grains) is not { } client)
        {
            await NoKey().ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        try
        {
            await foreach (var snapshot in client.WatchAsync(id, cancellationToken).ConfigureAwait(false))
            {
                var json = JsonSerializer.Serialize(Describe(snapshot), Json);
                await context.Response.WriteAsync($"data: {json}\n\n", cancellationToken).ConfigureAwait(false);
                await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JobNotFoundException ex) when (!context.Response.HasStarted)
        {
            await Problem(StatusCodes.Status404NotFound, ex.Message).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private static async Task<IResult> Guarded(HttpRequest request, IGrainFactory grains, Func<StyleJobClient, Task<IResult>> action)
    {
        if (Client(request, grains) is not { } client)
        {
            return NoKey();
        }

        try
        {
            return await action(client).ConfigureAwait(false);
        }
        catch (JobNotFoundException ex)
        {
            return Problem(StatusCodes.Status404NotFound, ex.Message);
        }
    }

    private static object Describe(JobSnapshot s) => new
    {
        id = s.JobId,
        status = s.Status.ToString().ToLowerInvariant(),
        iteration = s.Iteration,
        totalIterations = s.TotalIterations,
        loss = s.Loss,
        error = s.Error,
        silo = s.Silo,
        resumedFrom = s.ResumedFrom,
        submittedAt = s.SubmittedAt,
        expiresAt = s.ExpiresAt,
        preview = s.Preview is { } image ? $"data:{s.PreviewMediaType ?? "image/png"};base64," + Convert.ToBase64String(image) : null,
    };

    private static StyleJobClient? Client(HttpRequest request, IGrainFactory grains)
    {
        var key = request.Headers["X-Api-Key"].ToString();
        if (string.IsNullOrEmpty(key))
        {
            key = request.Query["key"].ToString();
        }

        return key.Length is >= 16 and <= 256 ? new StyleJobClient(grains, key) : null;
    }

    private static async Task<(byte[]? Bytes, IResult? Error)> ImageAsync(IFormFile? file, string? sample, string field, JobLimits limits)
    {
        if (file is not null)
        {
            if (file.Length > limits.MaxUploadBytes)
            {
                return (null, Problem(StatusCodes.Status413PayloadTooLarge, $"The {field} image has {file.Length} bytes; at most {limits.MaxUploadBytes} are allowed."));
            }

            using var copy = new MemoryStream();
            await file.CopyToAsync(copy).ConfigureAwait(false);
            return (copy.ToArray(), null);
        }

        if (!string.IsNullOrEmpty(sample))
        {
            return Samples.Read(sample) is { } bytes
                ? (bytes, null)
                : (null, Problem(StatusCodes.Status400BadRequest, $"No sample named '{sample}'. Samples: {string.Join(", ", Samples.Names)}."));
        }

        return (null, Problem(StatusCodes.Status400BadRequest, $"Send a {field} image (form field '{field}') or pick a sample ('{field}Sample')."));
    }

    private static bool TryInt(string? text, out int? value)
    {
        value = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static IResult NoKey() => Problem(StatusCodes.Status401Unauthorized, "Send your API key (at least 16 characters) in the X-Api-Key header.");

    private static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);
}
