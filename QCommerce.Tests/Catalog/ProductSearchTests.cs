using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

/// <summary>What a search box's text becomes, and what the catalog's in-memory full-text index finds for it.</summary>
public class ProductSearchTests
{
    [Theory]
    [InlineData("Greek yogurt", new[] { "greek", "yogurt" })]
    [InlineData("  häagen-DAZS!! ", new[] { "haagen", "dazs" })]
    [InlineData("\"milk\" OR * NEAR(", new[] { "milk", "or", "near" })]
    [InlineData("'; DROP TABLE Products; --", new[] { "drop", "table", "products" })]
    [InlineData("!!!", new string[0])]
    [InlineData(null, new string[0])]
    public void Terms_KeepOnlyWords(string? text, string[] expected) => Assert.Equal(expected, ProductSearch.Terms(text));

    [Fact]
    public void Terms_AreCappedSoAQueryCannotGrowWithoutBound() =>
        Assert.Equal(ProductSearch.MaxTerms, ProductSearch.Terms(string.Join(' ', Enumerable.Range(0, 50).Select(i => $"w{i}"))).Count);

    private static readonly CatalogSearchIndex Index = new(
    [
        Product(1, "Chobani Greek Yogurt Plain", "Chobani", "Thick and creamy, strained three times."),
        Product(2, "Fage Total Greek Yoghurt", "Fage", "Strained yogurt from Greece."),
        Product(3, "Whole Milk", "Horizon", "Organic whole milk from grass-fed cows; great with yogurt granola."),
        Product(4, "Crème Fraîche", "Président", "Cultured cream."),
        Product(5, "Mixed Berries", "Driscoll's", "Strawberries, blueberries and raspberries."),
        Product(6, "Gala Apple", "Stemilt", "Crisp and sweet."),
        Product(7, "Sweet Peas", "Green Giant", "Tender garden peas."),
        Product(8, "Dry Roasted Peanuts", "Planters", "Salted."),
        Product(9, "Oat Creamer", "Silk", "Plant-based creamer."),
    ]);

    private static CatalogProduct Product(int id, string title, string brand, string description) =>
        new(id, $"p{id}", title, brand, description, 1, false, [], [], [new CatalogSku(id, id, $"p{id}-1", "", SkuUnit.Piece, 1, "1 piece", true)]);

    [Fact]
    public void Search_MatchesEveryTerm_AsTheStartOfAWord_WhileTheShopperTypes()
    {
        Assert.Equal([1], Index.Match(ProductSearch.Terms("chob gree")).Select(h => h.ProductId));
        Assert.Equal([1, 2], Index.Match(ProductSearch.Terms("greek")).Select(h => h.ProductId).Order());
        Assert.Empty(Index.Match(ProductSearch.Terms("bani"))); // the middle of a word is no match (nor a typo: three edits away)
        Assert.Empty(Index.Match(ProductSearch.Terms("greek milk"))); // every word must match
        Assert.Empty(Index.Match([]));
    }

    [Theory]
    [InlineData("mlk", 3)]           // a letter dropped, from a 4-letter word
    [InlineData("mikl", 3)]          // two neighbours swapped
    [InlineData("whoel milk", 3)]    // one word right, one wrong
    [InlineData("chobanni", 1)]      // a letter doubled
    [InlineData("stawbery", 5)]      // "strawberry" (10 letters, the singular of the description's word): two edits
    [InlineData("creemer", 9)]
    public void Search_ForgivesATypo_OneEditIn4To7Letters_TwoAbove(string query, int product) =>
        Assert.Equal([product], Index.Match(ProductSearch.Terms(query)).Select(h => h.ProductId));

    [Theory]
    [InlineData("milk", new[] { 3 })]   // matches: never widened to "silk"
    [InlineData("silk", new[] { 9 })]   // and the other way round
    [InlineData("mk", new int[0])]      // two letters mean too little to guess
    [InlineData("yxgxrt", new int[0])]  // two edits in a 6-letter word: too far
    public void Search_WidensOnlyAWordThatMatchesNothing_AndNotTooFar(string query, int[] products) =>
        Assert.Equal(products, Index.Match(ProductSearch.Terms(query)).Select(h => h.ProductId).Order());

    [Theory]
    [InlineData("milk", "mlik", 1)]
    [InlineData("milk", "mlk", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("yogurt", "yogurt", 0)]
    public void EditDistance_CountsInsertionsDeletionsChangesAndSwaps(string a, string b, int distance) =>
        Assert.Equal(distance, CatalogSearchIndex.EditDistance(a, b, max: 5));

    [Fact]
    public void Search_RanksATitleAboveADescription()
    {
        var hits = Index.Match(ProductSearch.Terms("yog"));
        Assert.Equal(3, hits.Count);
        Assert.Equal(3, hits.OrderBy(h => h.Rank).Last().ProductId); // "yogurt" only in its description
    }

    [Fact]
    public void Search_IgnoresCaseAndAccents_OnBothSides() =>
        Assert.Equal([4], Index.Match(ProductSearch.Terms("CREME fraiche PRESIDENT")).Select(h => h.ProductId));

    [Theory]
    [InlineData("apples", 6)]
    [InlineData("berry", 5)]
    [InlineData("berries", 5)]
    [InlineData("raspberry", 5)]
    [InlineData("peas", 7)] // the singular "pea" as a whole word: no peanuts
    [InlineData("sweet peas", 7)]
    public void Search_FindsASingularByItsPlural_AndAPluralByItsSingular(string query, int product) =>
        Assert.Equal([product], Index.Match(ProductSearch.Terms(query)).Select(h => h.ProductId));

    [Theory]
    [InlineData("berries", "berry")]
    [InlineData("tomatoes", "tomato")]
    [InlineData("peaches", "peach")]
    [InlineData("apples", "apple")]
    [InlineData("asparagus", "asparagus")]
    [InlineData("swiss", "swiss")]
    [InlineData("oats", "oat")]
    [InlineData("gas", "gas")]
    public void Singular_UndoesEnglishPlurals_AndLeavesWordsThatOnlyLookPlural(string word, string singular) =>
        Assert.Equal(singular, ProductSearch.Singular(word));
}
