namespace QCommerce.Tests.Common;

/// <summary>CSV as spreadsheets write it: quotes, doubled quotes, line breaks in fields, a byte-order mark, CRLF, blank lines keeping row numbers.</summary>
public class CsvImportTests
{
    [Fact]
    public void QuotedFields_DoubledQuotes_AndLineBreaksInsideQuotes_AreRead()
    {
        var (header, records, problem) = CsvImport.Read("\uFEFFa,b,c\r\n1,\"two, too\",\"say \"\"hi\"\"\"\r\n\r\n4,\"five\nlines\",6\n7,8,9");
        Assert.Null(problem);
        Assert.Equal(["a", "b", "c"], header);
        Assert.Equal(["1", "two, too", "say \"hi\""], records[0].Fields);
        Assert.Equal(4, records[1].Row);
        Assert.Equal(["4", "five\nlines", "6"], records[1].Fields);
        Assert.Equal(6, records[2].Row);
    }

    [Fact]
    public void AnUnclosedQuote_IsAProblemOnItsRow()
    {
        var (_, _, problem) = CsvImport.Read("a,b\n1,2\n3,\"oops\n");
        Assert.Equal((3, "file"), (problem!.Row, problem.Column));
    }

    [Fact]
    public void Columns_MatchInAnyCase_NameTheMissingOnes_AndIgnoreExtras()
    {
        var problems = new List<ImportProblem>();
        var at = CsvImport.Columns(["SKU", "Amount", "extra"], ["sku", "amount", "currency"], [], problems);
        Assert.Equal((0, 1), (at["sku"], at["amount"]));
        Assert.Equal("currency", Assert.Single(problems).Column);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("-5", "-5")]
    [InlineData("-2.50", "-2.50")]
    [InlineData("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0")]
    [InlineData("+1-800-FLOWERS", "'+1-800-FLOWERS")]
    [InlineData("\rSUM(A1)", "\"'\rSUM(A1)\"")]
    public void Fields_AreWrittenSafely_ForSpreadsheets(string value, string written) => Assert.Equal(written, CsvImport.Field(value));

    [Fact]
    public void TooManyRows_AreRefusedAsAFile()
    {
        var text = "a\n" + string.Concat(Enumerable.Repeat("1\n", CsvImport.MaxRows + 2));
        Assert.Equal("file", CsvImport.Read(text).Problem!.Column);
    }
}
