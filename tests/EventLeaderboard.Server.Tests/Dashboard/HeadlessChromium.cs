using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;

namespace EventLeaderboard.Server.Tests.Dashboard;

/// <summary>
/// Debian's <c>chromium</c> driven through its <c>chromedriver</c> (both installed by
/// scripts/ensure-chromium.sh), headless, with a throwaway profile. The paths are given
/// explicitly so Selenium Manager never tries to download a browser or a driver.
/// </summary>
public sealed class HeadlessChromium : IDisposable
{
    static readonly string[] BrowserPaths = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
    static readonly string[] DriverPaths = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

    readonly string _profile = Path.Combine(Path.GetTempPath(), "el-chromium-" + Guid.NewGuid().ToString("N")[..8]);

    public HeadlessChromium()
    {
        var browser = BrowserPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("Chromium is not installed: run scripts/ensure-chromium.sh (apt-get install chromium chromium-driver).");
        var driver = DriverPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("chromedriver is not installed: run scripts/ensure-chromium.sh (apt-get install chromium-driver).");

        var options = new ChromeOptions { BinaryLocation = browser };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start. The rest keeps
        // a headless run quiet and independent of /dev/shm size and of the network.
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--window-size=1280,900", "--user-data-dir=" + _profile);
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    public IWebDriver Driver { get; }

    /// <summary>Polls <paramref name="condition"/> until it holds, failing with <paramref name="what"/> and the page's text after <paramref name="seconds"/>.</summary>
    public async Task WaitUntilAsync(Func<IWebDriver, bool> condition, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (condition(Driver)) return;
            }
            catch (WebDriverException e)
            {
                // The element was replaced between find and read (the table re-renders): look again.
                last = e;
            }
            await Task.Delay(100);
        }
        var page = Driver.FindElement(By.TagName("body")).Text;
        Assert.Fail($"Timed out waiting for {what}. Page text:\n{page}\n{last?.Message}");
    }

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
        try { Directory.Delete(_profile, recursive: true); }
        catch (IOException) { /* Chromium may still hold a file for a moment; it is in /tmp */ }
    }
}
