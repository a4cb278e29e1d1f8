using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;
using FluentAssertions;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>The HTTP API of <c>neural-style serve</c>, over loopback.</summary>
public sealed class HttpApiTests
{
    [Fact]
    public async Task A_job_is_submitted_watched_over_server_sent_events_and_downloaded_by_its_client_only()
    {
        await using var server = await WebServer.StartAsync();
        var key = TestAssets.NewKey();
        using var http = server.Client(key);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(TestAssets.Content), "content", "content.png" },
            { new StringContent("style-waves.png"), "styleSample" },
            { new StringContent("48"), "size" },
            { new StringContent("30"), "iterations" },
        };
        var submitted = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), form);
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        using var events = await http.GetStreamAsync(new Uri($"/api/jobs/{id}/events", UriKind.Relative));
        using var reader = new StreamReader(events);
        var last = default(JsonElement);
        var previews = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                last = JsonDocument.Parse(line[6..]).RootElement;
                previews += last.GetProperty("preview").ValueKind == JsonValueKind.String ? 1 : 0;
            }
        }

        last.GetProperty("status").GetString().Should().Be("succeeded");
        previews.Should().BePositive();
        var png = await http.GetByteArrayAsync(new Uri($"/api/jobs/{id}/result", UriKind.Relative));
        using (var bitmap = SKBitmap.Decode(png))
        {
            bitmap.Height.Should().Be(48);
        }

        using var other = server.Client(TestAssets.NewKey());
        (await other.GetAsync(new Uri($"/api/jobs/{id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.GetAsync(new Uri($"/api/jobs/{id}/result", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await other.DeleteAsync(new Uri($"/api/jobs/{id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var anonymous = server.Client();
        (await anonymous.GetAsync(new Uri($"/api/jobs/{id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).Should().Contain("/api/jobs/{id}/events");
    }

    [Fact]
    public async Task Oversized_and_malformed_uploads_get_clear_4xx_answers()
    {
        await using var server = await WebServer.StartAsync(o =>
        {
            o.Limits.MaxUploadBytes = 64 * 1024;
            o.Limits.MaxIterations = 100;
        });
        using var http = server.Client(TestAssets.NewKey());

        async Task<(HttpStatusCode Status, string Body)> Submit(params (HttpContent Content, string Name)[] parts)
        {
            using var form = new MultipartFormDataContent();
            foreach (var (content, name) in parts)
            {
                if (content is ByteArrayContent and not StringContent)
                {
                    form.Add(content, name, name + ".png");
                }
                else
                {
                    form.Add(content, name);
                }
            }

            var response = await http.PostAsync(new Uri("/api/jobs", UriKind.Relative), form);
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var big = await Submit((new ByteArrayContent(new byte[100 * 1024]), "content"), (new StringContent("style-waves.png"), "styleSample"));
        big.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        big.Body.Should().Contain("bytes");
        var garbage = await Submit((new ByteArrayContent([1, 2, 3, 4]), "content"), (new StringContent("style-waves.png"), "styleSample"));
        garbage.Status.Should().Be(HttpStatusCode.BadRequest);
        garbage.Body.Should().Contain("content image");
        var iterations = await Submit((new StringContent("content-village.png"), "contentSample"), (new StringContent("style-waves.png"), "styleSample"), (new StringContent("101"), "iterations"));
        iterations.Status.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        var notANumber = await Submit((new StringContent("content-village.png"), "contentSample"), (new StringContent("style-waves.png"), "styleSample"), (new StringContent("12x"), "size"));
        notANumber.Status.Should().Be(HttpStatusCode.BadRequest);
        var traversal = await Submit((new StringContent("../../etc/passwd"), "contentSample"), (new StringContent("style-waves.png"), "styleSample"));
        traversal.Status.Should().Be(HttpStatusCode.BadRequest);
        (await http.GetAsync(new Uri("/api/samples/..%2F..%2Fetc%2Fpasswd", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
