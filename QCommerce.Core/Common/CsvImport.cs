using System.Globalization;
using System.Text;

namespace QCommerce.Core.Common;

/// <summary>One problem of an uploaded file, where a spreadsheet shows it: the row (the header is row 1) and the column.</summary>
public sealed record ImportProblem(int Row, string Column, string Message)
{
    /// <summary>The key of the problem in an API's <c>errors</c>: <c>rows[3].amount</c>.</summary>
    public string Key => Row == 0 ? Column : $"rows[{Row}].{Column}";
}

/// <summary>
/// What an import found or did: how many rows it read, how many change something and how many say what is already so,
/// every problem by row and column, and whether it was applied (all rows in one transaction, or none when any has a problem).
/// </summary>
public sealed record ImportReport(int Rows, int Changes, int Unchanged, IReadOnlyList<ImportProblem> Problems, bool Applied)
{
    public bool HasProblems => Problems.Count > 0;

    public IReadOnlyDictionary<string, string[]> ProblemsByKey() =>
        Problems.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray(), StringComparer.Ordinal);
}

/// <summary>One record of a CSV file with its row number (the header is row 1).</summary>
public sealed record CsvRecord(int Row, IReadOnlyList<string> Fields);

/// <summary>
/// CSV as RFC 4180 writes it (and spreadsheets save it): comma-separated, fields in double quotes when they hold a comma,
/// a quote or a line break, quotes doubled inside; CRLF or LF; an optional UTF-8 byte-order mark. Blank lines are skipped
/// but keep their row numbers, so a row number is the line a spreadsheet shows.
/// </summary>
public static class CsvImport
{
    public const int MaxRows = 50_000;

    /// <summary>The largest file an import takes (the API's body and the portal's upload alike).</summary>
    public const int MaxBytes = 10 * 1024 * 1024;

    /// <summary>Reads the header and the records; a file that cannot be read as CSV at all is one problem on row 0.</summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<CsvRecord> Records, ImportProblem? Problem) Read(string text)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        var row = 1;
        var recordRow = 1;
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var quoted = false;
        var fieldStarted = false;
        for (; i <= text.Length; i++)
        {
            var end = i == text.Length;
            var c = end ? '\n' : text[i];
            if (quoted)
            {
                if (end) return ([], [], new ImportProblem(recordRow, "file", "A quoted field is never closed (a \" is missing)."));
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                    else quoted = false;
                }
                else
                {
                    if (c == '\n') row++;
                    field.Append(c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when !fieldStarted:
                    quoted = true;
                    fieldStarted = true;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r':
                    fields.Add(field.ToString());
                    field.Clear();
                    fieldStarted = false;
                    if (!(fields.Count == 1 && fields[0].Length == 0))
                    {
                        if (records.Count > MaxRows) return ([], [], new ImportProblem(0, "file", $"A file holds at most {MaxRows:N0} rows; split it."));
                        records.Add(new CsvRecord(recordRow, fields.ToArray()));
                    }
                    fields.Clear();
                    if (end) break;
                    row++;
                    recordRow = row;
                    break;
                default:
                    field.Append(c);
                    fieldStarted = true;
                    break;
            }
        }
        if (records.Count == 0) return ([], [], new ImportProblem(0, "file", "The file is empty; it needs a header row and at least one row."));
        var header = records[0].Fields.Select(h => h.Trim()).ToList();
        return (header, records.Skip(1).ToList(), null);
    }

    /// <summary>
    /// Where each named column is in the header (in any case: <c>effectivefrom</c> is <c>effectiveFrom</c>); missing required
    /// columns are problems on row 1 (a column this import does not know is ignored: an export's extra columns may come back).
    /// </summary>
    public static Dictionary<string, int> Columns(IReadOnlyList<string> header, IReadOnlyList<string> required, IReadOnlyList<string> optional,
        List<ImportProblem> problems)
    {
        var at = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < header.Count; i++)
        {
            if (at.ContainsKey(header[i])) problems.Add(new ImportProblem(1, header[i], $"The column '{TextRules.Excerpt(header[i])}' appears twice."));
            else at[header[i]] = i;
        }
        foreach (var name in required.Where(n => !at.ContainsKey(n)))
            problems.Add(new ImportProblem(1, name, $"The header has no '{name}' column; the columns are {string.Join(",", required.Concat(optional))}."));
        return at;
    }

    /// <summary>
    /// The file read and its header checked, as every import starts: the records and where each column is, or the report
    /// that says why nothing can be read (an unreadable file, a missing column).
    /// </summary>
    public static (IReadOnlyList<CsvRecord> Records, Dictionary<string, int> Columns, ImportReport? Unreadable) Open(string csv, IReadOnlyList<string> required,
        IReadOnlyList<string> optional)
    {
        var (header, records, unreadable) = Read(csv);
        if (unreadable is not null) return ([], [], new ImportReport(0, 0, 0, [unreadable], false));
        var problems = new List<ImportProblem>();
        var at = Columns(header, required, optional, problems);
        return problems.Count > 0 ? (records, at, new ImportReport(records.Count, 0, 0, problems, false)) : (records, at, null);
    }

    /// <summary>A record's value of a column, trimmed; empty when the record is short.</summary>
    public static string Value(CsvRecord record, Dictionary<string, int> columns, string name) =>
        columns.TryGetValue(name, out var i) && i < record.Fields.Count ? record.Fields[i].Trim() : "";

    /// <summary>
    /// A field as CSV writes it: quoted when it must be, and <see cref="Defused"/>.
    /// </summary>
    public static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        value = Defused(value);
        return value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }

    /// <summary>
    /// Text a spreadsheet would run as a formula (it starts with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, a tab or a carriage
    /// return: OWASP's list for CSV injection) prefixed with an apostrophe so it stays text. A plain number such as -5 is
    /// left as it is: it is no formula, and a spreadsheet should still add it up.
    /// </summary>
    public static string Defused(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r'
            && !decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out _)
            ? "'" + value
            : value;

    public static string Line(params string?[] fields) => string.Join(',', fields.Select(Field)) + "\r\n";
}
