using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace QCommerce.Web.Common;

public static class HostingExtensions
{
    /// <summary>
    /// The web root for a published app started from a folder other than its own (a bench script, a service manager
    /// with another working directory): the <c>wwwroot</c> beside the binaries. Without it the static-asset endpoints,
    /// which come from the manifest beside the binaries, would find no files under the working directory and answer
    /// every stylesheet and script with an empty 200. Null (the default) when the working directory has its own
    /// <c>wwwroot</c> or the binaries have none (a build, not a publish: development serves the project's).
    /// </summary>
    public static string? PublishedWebRoot()
    {
        if (Directory.Exists(Path.Combine(Directory.GetCurrentDirectory(), "wwwroot"))) return null;
        var besideBinaries = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return Directory.Exists(besideBinaries) ? besideBinaries : null;
    }

    /// <summary>
    /// The operator's <c>appsettings.json</c> sits at the repository root, which is the content root
    /// when the app is started from there. Started from anywhere else (a published folder, a test
    /// host), the copy beside the binaries is read instead, still below environment variables and
    /// command-line arguments so those keep overriding it.
    /// </summary>
    public static void AddOperatorSettings(this ConfigurationManager configuration, IWebHostEnvironment environment)
    {
        if (File.Exists(Path.Combine(environment.ContentRootPath, "appsettings.json"))) return;
        var besideBinaries = new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            ReloadOnChange = false,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        };
        var sources = (IList<IConfigurationSource>)configuration.Sources;
        var firstJson = sources.Select((s, i) => (s, i)).FirstOrDefault(x => x.s is JsonConfigurationSource).i;
        sources.Insert(Math.Max(firstJson, 0), besideBinaries);
    }

    /// <summary>Echoes (or assigns) <c>X-Request-Id</c> so a shopper's report can be matched to our logs.</summary>
    public static IApplicationBuilder UseRequestIdHeader(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        // Set as the response starts, so an error answer (whose headers the exception handler clears) carries it too.
        context.Response.OnStarting(SetRequestIdAsync, context);
        return next(context);
    });

    private static Task SetRequestIdAsync(object state)
    {
        var context = (HttpContext)state;
        var incoming = context.Request.Headers["X-Request-Id"].ToString();
        context.Response.Headers["X-Request-Id"] = incoming.Length is > 0 and <= 128 && incoming.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? incoming
            : context.TraceIdentifier;
        return Task.CompletedTask;
    }
}
