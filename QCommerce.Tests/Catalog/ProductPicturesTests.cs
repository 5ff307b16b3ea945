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

    /// <summary>A 6,300 × 6,300 picture: about 0.25 MB as a PNG of flat colour, 160 MB once decoded whole.</summary>
    private static readonly Lazy<byte[]> HugePng = new(() => TestPictures.Png(6300, 6300)), HugeJpeg = new(() => TestPictures.Make(SKEncodedImageFormat.Jpeg, 6300, 6300));

    [Fact]
    public void APngOverTheDecodingBudget_IsRefusedBeforeItIsDecoded_SayingHowBigItIs()
    {
        Assert.True(HugePng.Value.Length < 300_000, $"the test's PNG is {HugePng.Value.Length} bytes: small on disk is the point");
        var refused = Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(HugePng.Value, 1)).Errors["file"][0];
        Assert.Contains("6300×6300 pixels, more than 16 megapixels to open (a PNG cannot be shrunk while it is read)", refused);
        Assert.Contains("at most 3200 pixels", refused);
    }

    [Fact]
    public void AHugeJpeg_IsShrunkWhileDecoding_ToWhatTheLargeSizeNeeds()
    {
        var prepared = ProductPictures.Prepare(HugeJpeg.Value, 7);

        // 1/4 of each side, the smallest scale that still covers 800 pixels: 10 MB decoded instead of 160.
        Assert.Equal((1575, 1575), (prepared.DecodedWidth, prepared.DecodedHeight));
        using var large = SKCodec.Create(SKData.CreateCopy(prepared.Files[0].Bytes));
        Assert.Equal((800, 800), (large.Info.Width, large.Info.Height));
    }

    [Fact]
    public async Task SixteenUploadsAtOnce_DecodeTwoAtATime_AndAllSucceed()
    {
        ProductPictures.ResetPeak();
        var big = TestPictures.Make(SKEncodedImageFormat.Jpeg, 3000, 2000);
        var prepared = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => Task.Run(() => ProductPictures.PrepareAsync(big, i, default))));

        Assert.All(prepared, p => Assert.Equal(2, p.Files.Count));
        Assert.InRange(ProductPictures.DecodingPeak, 1, ProductPictures.ConcurrentDecodes);
    }

    /// <summary>A JPEG's first frame marker (SOF0, baseline), for a test to rewrite the header as a crafted file would.</summary>
    private static int FrameMarker(byte[] jpeg) => Enumerable.Range(2, jpeg.Length - 3).First(i => jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0);

    [Fact]
    public void AProgressiveJpegTooLargeToHoldInMemory_IsRefusedBeforeItIsDecoded()
    {
        // libjpeg keeps every coefficient of a progressive JPEG while it decodes, shrunk or not: 4,000 × 4,000 in colour is 96 MB.
        var jpeg = TestPictures.Make(SKEncodedImageFormat.Jpeg, 4000, 4000);
        Assert.Equal((false, 3), ProductPictures.JpegFrame(jpeg));
        var progressive = (byte[])jpeg.Clone();
        progressive[FrameMarker(progressive) + 1] = 0xC2;
        Assert.Equal((true, 3), ProductPictures.JpegFrame(progressive));

        var refused = Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(progressive, 1)).Errors["file"][0];
        Assert.Contains("This progressive JPEG is 4000×4000 pixels, more than 64 MB to open", refused);
        Assert.Equal(1000, ProductPictures.Prepare(jpeg, 1).DecodedWidth); // the same picture, baseline: shrunk while decoding
    }

    [Fact]
    public void APictureClaimingMoreThanAHundredMegapixels_IsRefusedFromItsHeader()
    {
        var jpeg = TestPictures.Make(SKEncodedImageFormat.Jpeg, 400, 300);
        var frame = FrameMarker(jpeg);
        // SOF0: FF C0, length (2), precision (1), height (2), width (2): 30,000 × 30,000 announced by a 5 KB file.
        jpeg[frame + 5] = 30000 >> 8; jpeg[frame + 6] = 30000 & 0xFF;
        jpeg[frame + 7] = 30000 >> 8; jpeg[frame + 8] = 30000 & 0xFF;

        var refused = Assert.Throws<RequestRejectedException>(() => ProductPictures.Prepare(jpeg, 1)).Errors["file"][0];
        Assert.Contains("30000×30000 pixels; a picture is at most 100 megapixels", refused);
    }
}
