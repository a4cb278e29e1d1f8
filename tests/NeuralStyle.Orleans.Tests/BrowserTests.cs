using System;
using System.IO;
using System.Threading.Tasks;
using FluentAssertions;
using Microsoft.Playwright;
using NeuralStyle.Orleans.Tests.TestSupport;
using SkiaSharp;
using Xunit;

namespace NeuralStyle.Orleans.Tests;

/// <summary>
/// The web page in a real browser: Debian's Chromium, headless, driven by Playwright with the system browser (Playwright
/// downloads nothing). Screenshots go to the test output directory (browser-*.png). Skipped without /usr/bin/chromium;
/// failed under CI=true.
/// </summary>
public sealed class BrowserTests(ITestOutputHelper output)
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_page_uploads_shows_the_image_forming_and_downloads_the_result()
    {
        if (!File.Exists(Chromium))
        {
            if (TestAssets.IsCi)
            {
                throw new InvalidOperationException($"{Chromium} is missing; CI=true requires it (apt install chromium).");
            }

            Assert.Skip($"No browser at {Chromium} (apt install chromium).");
        }

        await using var server = await WebServer.StartAsync();
        var profile = Directory.CreateTempSubdirectory("neuralstyle-chromium-");
        var shots = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(shots);
        try
        {
            using var playwright = await Playwright.CreateAsync();
            // The profile directory is Chromium's --user-data-dir (Playwright passes it for a persistent context).
            await using var context = await playwright.Chromium.LaunchPersistentContextAsync(profile.FullName, new BrowserTypeLaunchPersistentContextOptions
            {
                ExecutablePath = Chromium,
                Headless = true,
                Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
                AcceptDownloads = true,
                ViewportSize = new ViewportSize { Width = 900, Height = 1200 },
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync(server.Address.ToString());
            await page.Locator("#contentSample option[value='content-village.png']").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Attached });

            var content = Path.Combine(shots, "upload-photo.png");
            await File.WriteAllBytesAsync(content, TestAssets.Content);
            await page.SetInputFilesAsync("#content", content);
            await page.SelectOptionAsync("#styleSample", "style-mosaic.png");
            await page.FillAsync("#size", "96");
            await page.FillAsync("#iterations", "150");
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "browser-1-form.png"), FullPage = true });
            await page.ClickAsync("#start");

            // Previews (JPEG) arrive while the job runs: the image is shown before it finishes.
            await page.WaitForFunctionAsync("() => document.getElementById('status').textContent.startsWith('running') && document.getElementById('preview').src.startsWith('data:image/jpeg')", null, new PageWaitForFunctionOptions { Timeout = 120_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "browser-2-forming.png"), FullPage = true });
            var forming = await page.TextContentAsync("#status");

            await page.Locator("#download").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Visible, Timeout = 180_000 });
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(shots, "browser-3-done.png"), FullPage = true });
            var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#download"));
            var saved = Path.Combine(shots, "browser-result.png");
            await download.SaveAsAsync(saved);
            output.WriteLine($"while forming: {forming}; final: {await page.TextContentAsync("#status")}; screenshots in {shots}");

            forming.Should().Contain("of 150");
            (await page.TextContentAsync("#status")).Should().StartWith("succeeded");
            using var result = SKBitmap.Decode(saved);
            result.Height.Should().Be(96);
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }
}
