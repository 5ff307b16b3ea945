using QCommerce.Core.Catalog;
using SkiaSharp;

namespace QCommerce.Tests.Catalog;

/// <summary>Uploaded pictures judged by content: real PNG, JPEG and WebP become the storefront's two WebP sizes; anything else is refused with a reason.</summary>
public class ProductPicturesTests
{
    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    [InlineData(SKEncodedImageFormat.Webp)]
    public void ARealPicture_BecomesTwoWebPSizes_WithinTheStorefrontsBoxes(SKEncodedImageFormat format)
    {
        var prepared = ProductPictures.Prepare(TestPictures.Make(format, 1600, 1000), 42);

        Assert.Matches(@"^/media/products/42/[0-9a-f]{16}-800\.webp$", prepared.Url);
        Assert.Equal(2, prepared.Files.Count);
        foreach (var ((path, bytes), box) in prepared.Files.Zip(ProductPictures.Sizes))
        {
            Assert.Equal(ProductPictures.Kind.WebP, ProductPictures.Sniff(bytes));
            using var codec = SKCodec.Create(SKData.CreateCopy(bytes));
            Assert.Equal((box, box * 1000 / 1600), (codec.Info.Width, codec.Info.Height));
            Assert.EndsWith($"-{box}.webp", path);
        }
        Assert.Equal(prepared.Url.Replace("-800", "-400"), ProductPictures.CardUrl(prepared.Url));
    }

    [Fact]
    public void AnHtmlFileNamedPng_IsNotAPicture() =>
        Assert.Throws<UnsupportedContentException>(() => ProductPictures.Prepare(TestPictures.HtmlNamedPng, 1));

    [Fact]
    public void AFileThatOnlyStartsLikeAPng_CannotBeRead()
    {
        var fake = TestPictures.Png()[..40];
        var refused = Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(fake, 1));
        Assert.Contains("cannot be", refused.Errors["file"][0]);
    }

    [Theory]
    [InlineData(SKEncodedImageFormat.Png)]
    [InlineData(SKEncodedImageFormat.Jpeg)]
    public void ACutOffPicture_IsRefused_NotStoredHalfGrey(SKEncodedImageFormat format)
    {
        var whole = TestPictures.Make(format, 640, 480);
        var refused = Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(whole[..(whole.Length / 2)], 1));
        Assert.Contains("incomplete", refused.Errors["file"][0]);
    }

    [Fact]
    public void TooLargeAFile_AndTooSmallAPicture_AreRefused()
    {
        var big = new byte[ProductPictures.MaxBytes + 1];
        TestPictures.Png().CopyTo(big, 0);
        Assert.Contains("at most 5 MB", Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(big, 1)).Errors["file"][0]);
        Assert.Contains("at least", Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(TestPictures.Png(20, 20), 1)).Errors["file"][0]);
        Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare([], 1));
    }

    [Fact]
    public void DemoTilesKeepTheirOwnAddress_OnCards() =>
        Assert.Equal("/images/products/apple.svg?e=x", ProductPictures.CardUrl("/images/products/apple.svg?e=x"));
}
