using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

public sealed record OpsImportDto(int Rows, int Changes, int Unchanged, bool DryRun, bool Applied);

/// <summary>
/// What every CSV import and export of <c>/v1/ops</c> shares: an import's body is the file (<c>text/csv</c>, UTF-8, at most
/// 10 MB); <c>dryRun=true</c> previews; any bad row answers 422 with <c>errors</c> keyed by row and column
/// (<c>rows[3].amount</c>) and nothing applied; otherwise every row is applied in one transaction. An export is the same
/// columns, so an edited export imports back.
/// </summary>
public static class CsvFiles
{
    private const int MaxFileBytes = CsvImport.MaxBytes;

    /// <summary>
    /// A parameter an import does not know is refused, not ignored: <c>?dry-run=true</c> would otherwise apply the file
    /// its sender meant to preview.
    /// </summary>
    public static void RefuseUnknownParameters(HttpRequest request, ProblemList problems, params string[] known)
    {
        foreach (var name in request.Query.Keys)
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
                problems.Add(name, $"{name} is not a parameter of this import; dryRun=true previews it.");
    }

    /// <summary>
    /// ?dryRun=true previews, false or none applies; any other value, an empty one too, is refused, so a preview is never
    /// applied by mistake. Read from the query, not bound: the compile-time request delegates (RequestDelegateGenerator)
    /// bind an empty <c>?dryRun=</c> as no value at all, which would apply the file.
    /// </summary>
    public static bool DryRun(HttpRequest request, ProblemList problems)
    {
        if (!request.Query.TryGetValue("dryRun", out var values)) return false;
        if (values.Count == 1 && bool.TryParse(values[0], out var dryRun)) return dryRun;
        problems.Add("dryRun", "dryRun is true (a preview: nothing is applied) or false.");
        return true;
    }

    /// <summary>dryRun is read by hand (above), so the API reference is told of it here.</summary>
    public static RouteHandlerBuilder WithDryRunParameter(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new Microsoft.OpenApi.OpenApiParameter
            {
                Name = "dryRun",
                In = Microsoft.OpenApi.ParameterLocation.Query,
                Description = "true previews the file (nothing is applied); false or none applies it.",
                Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Boolean },
            });
            return Task.CompletedTask;
        });

    public static IResult Answer(ImportReport report, bool dryRun) =>
        report.HasProblems
            ? TypedResults.Problem(new HttpValidationProblemDetails(report.ProblemsByKey())
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = $"{report.Problems.Count} problem(s) in the file; nothing was applied",
                Detail = "Fix the rows named in errors (rows[n] is the file's row n, the header being row 1) and send the file again.",
            })
            : TypedResults.Ok(new OpsImportDto(report.Rows, report.Changes, report.Unchanged, dryRun, report.Applied));

    public static IResult Csv(string text, string name) =>
        Results.File(Encoding.UTF8.GetBytes(text), "text/csv; charset=utf-8", $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");

    /// <summary>The body as text: 415 unless it says CSV (or plain text), 413 above the limit, 400 when it is not UTF-8.</summary>
    public static async Task<(string? Csv, IResult? Problem)> ReadCsvAsync(HttpRequest request, CancellationToken ct)
    {
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is not ("text/csv" or "text/plain" or "application/csv"))
            return (null, TypedResults.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send the file as the body with Content-Type: text/csv."));
        if (request.ContentLength > MaxFileBytes) return (null, TooBig());
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes) return (null, TooBig());
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, TypedResults.Problem(statusCode: 400, title: "Not UTF-8", detail: "Save the file as CSV UTF-8 and send it again."));
        }
    }

    private static IResult TooBig() =>
        TypedResults.Problem(statusCode: 413, title: "File too large", detail: $"A file is at most {MaxFileBytes / (1024 * 1024)} MB; split it.");
}
