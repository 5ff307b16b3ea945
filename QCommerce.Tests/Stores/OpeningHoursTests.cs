using QCommerce.Core.Stores;

namespace QCommerce.Tests.Stores;

public class OpeningHoursTests
{
    private static DateTimeOffset NewYork(int hour, int minute = 0) => new(2026, 11, 27, hour, minute, 0, TimeSpan.FromHours(-5));

    [Theory]
    [InlineData(6, 59, false)]
    [InlineData(7, 0, true)]
    [InlineData(22, 59, true)]
    [InlineData(23, 0, false)]
    public void IsOpenAt_DaytimeHours(int hour, int minute, bool open) =>
        Assert.Equal(open, new OpeningHours(new(7, 0), new(23, 0), "America/New_York").IsOpenAt(NewYork(hour, minute)));

    [Theory]
    [InlineData(23, true)]
    [InlineData(1, true)]
    [InlineData(3, false)]
    [InlineData(12, false)]
    public void IsOpenAt_PastMidnight(int hour, bool open) =>
        Assert.Equal(open, new OpeningHours(new(18, 0), new(2, 0), "America/New_York").IsOpenAt(NewYork(hour)));

    [Fact]
    public void IsOpenAt_SameOpenAndClose_MeansAroundTheClock() =>
        Assert.True(new OpeningHours(new(0, 0), new(0, 0), "America/New_York").IsOpenAt(NewYork(4)));

    [Theory]
    [InlineData(" 10001 ", "10001")]
    [InlineData("sw1a 1aa", "SW1A 1AA")]
    [InlineData("12", null)]
    [InlineData("<script>", null)]
    [InlineData("", null)]
    public void Zips_Normalize(string input, string? expected) => Assert.Equal(expected, Zips.Normalize(input));
}
