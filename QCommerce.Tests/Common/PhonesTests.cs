namespace QCommerce.Tests.Common;

/// <summary>Phone numbers as shoppers type them, kept as the E.164 a rider's phone dials, and shown back as people write them.</summary>
public sealed class PhonesTests
{
    [Theory]
    [InlineData("(212) 555-0142", "+12125550142")]
    [InlineData("212.555.0142", "+12125550142")]
    [InlineData("  +1 212 555 0142 ", "+12125550142")]
    [InlineData("1-718-555-0100", "+17185550100")]
    [InlineData("+44 20 7946 0958", "+442079460958")]
    [InlineData("+49 30 901820", "+4930901820")]
    public void ANumberTypedAnyCommonWay_IsKeptInE164(string typed, string e164)
    {
        Assert.Equal(e164, Phones.Normalize(typed, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("555-0142")]             // no area code
    [InlineData("call me")]
    [InlineData("+1 012 555 0142")]      // no US area code starts with 0
    [InlineData("+999 1234 5678")]       // no such country
    [InlineData("212 555 0142\0")]       // a NUL, which PostgreSQL's text refuses
    [InlineData("2125550142\u202E")]     // a direction override
    [InlineData("111111111111111111111111111111111111")]
    [InlineData("+1 212 555 0142 ext 99")]  // an extension no rider can dial
    public void WhatIsNoNumberToCall_IsRefused_WithWordsForTheShopper(string typed)
    {
        Assert.Null(Phones.Normalize(typed, out var problem));
        Assert.NotNull(problem);
        Assert.False(problem.Contains('\0'), problem); // the NUL is never echoed back
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Blank_IsNoNumber_AndNoProblem(string? typed)
    {
        Assert.Null(Phones.Normalize(typed, out var problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("+12125550142", "(212) 555-0142")]
    [InlineData("+442079460958", "+44 20 7946 0958")]
    [InlineData(null, "")]
    public void AStoredNumber_IsShownNationallyAtHome_AndInternationallyFromAbroad(string? e164, string shown) =>
        Assert.Equal(shown, Phones.Display(e164));

    [Theory]
    [InlineData("Buzz 4B\r\nthird floor", "Buzz 4B; third floor")]
    [InlineData("  gate code 1234 \n\n  leave with doorman\n", "gate code 1234; leave with doorman")]
    [InlineData(" \r\n ", null)]
    [InlineData("gate\tcode 12", "gate code 12")]
    public void DeliveryInstructions_TypedOnSeveralLines_AreKeptOnOne(string typed, string? kept) =>
        Assert.Equal(kept, DeliveryInstructions.OneLine(typed));
}
