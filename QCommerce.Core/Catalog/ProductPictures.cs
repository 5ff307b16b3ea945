using SkiaSharp;

namespace QCommerce.Core.Catalog;

/// <summary>Where uploaded pictures are kept (<c>Media:Root</c>, under the app's <c>data/</c> by default) and served from (<c>/media</c>).</summary>
public sealed class MediaOptions
{
    public string Root { get; set; } = "data/media";

    public const string UrlPrefix = "/media";

    public string FullRoot => Path.GetFullPath(Root);
}

/// <summary>A picture made ready for the storefront: the sizes it shows, re-encoded, and the address of the large one.</summary>
public sealed record PreparedPicture(string Url, IReadOnlyList<(string Path, byte[] Bytes)> Files);

/// <summary>
/// Uploaded product pictures, judged by their content and never by their name: PNG, JPEG or WebP by their first bytes,
/// at most 5 MB, decoded (so a file that only starts like a picture is refused), turned upright by its EXIF orientation,
/// bounded against decompression bombs, then resized to the storefront's two sizes and re-encoded as WebP by SkiaSharp
/// (MIT; Skia is BSD-3-Clause). Re-encoding drops whatever else the file carried (metadata, scripts, trailing bytes).
/// </summary>
public static class ProductPictures
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MaxPixels = 40_000_000;
    public const int MinSide = 100;

    /// <summary>The product page's size and the card's (the card reads the page's name with -400).</summary>
    public static readonly int[] Sizes = [800, 400];

    public enum Kind
    {
        Png,
        Jpeg,
        WebP,
    }

    /// <summary>The format the first bytes announce, or null for anything else (HTML named .png, a PDF, an SVG).</summary>
    public static Kind? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return Kind.Png;
        if (head.Length >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return Kind.Jpeg;
        if (head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8)) return Kind.WebP;
        return null;
    }

    /// <summary>Checks and converts an upload; refusals say why in words for the person uploading.</summary>
    public static PreparedPicture Prepare(byte[] upload, int productId)
    {
        if (upload.Length == 0) throw Rejected("The file is empty.");
        if (upload.Length > MaxBytes) throw Rejected($"A picture is at most {MaxBytes / (1024 * 1024)} MB; this one is {upload.Length / (1024.0 * 1024):0.0} MB.");
        var kind = Sniff(upload) ?? throw new UnsupportedContentException("That file is not a PNG, JPEG or WebP picture (judged by its content, not its name).");

        using var data = SKData.CreateCopy(upload);
        using var codec = SKCodec.Create(data) ?? throw Rejected($"The file starts like a {kind} but cannot be read as one.");
        var info = codec.Info;
        if ((long)info.Width * info.Height > MaxPixels) throw Rejected($"A picture is at most {MaxPixels / 1_000_000} megapixels; this one is {info.Width}×{info.Height}.");
        if (info.Width < MinSide || info.Height < MinSide) throw Rejected($"A picture is at least {MinSide}×{MinSide} pixels; this one is {info.Width}×{info.Height}.");
        // Every pixel must decode: a truncated or damaged file decodes only in part (SkiaSharp says IncompleteInput), and half
        // a grey picture is not one a shopper should see.
        var target = info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Premul);
        using var decoded = new SKBitmap(target);
        var result = codec.GetPixels(target, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw Rejected(result == SKCodecResult.IncompleteInput
                ? $"The {kind} file is incomplete (cut off or damaged); save or export it again."
                : $"The file starts like a {kind} but its picture cannot be decoded.");
        using var upright = Upright(decoded, codec.EncodedOrigin);

        var key = Guid.NewGuid().ToString("N")[..16];
        var files = new List<(string, byte[])>();
        foreach (var size in Sizes)
        {
            var scale = Math.Min(1.0, (double)size / Math.Max(upright.Width, upright.Height));
            var box = new SKImageInfo(Math.Max(1, (int)Math.Round(upright.Width * scale)), Math.Max(1, (int)Math.Round(upright.Height * scale)),
                SKColorType.Rgba8888, SKAlphaType.Premul);
            using var resized = scale < 1 ? upright.Resize(box, new SKSamplingOptions(SKCubicResampler.Mitchell)) : upright.Copy();
            using var image = SKImage.FromBitmap(resized);
            using var webp = image.Encode(SKEncodedImageFormat.Webp, 82) ?? throw new InvalidOperationException("SkiaSharp could not encode WebP.");
            files.Add(($"products/{productId}/{key}-{size}.webp", webp.ToArray()));
        }
        return new PreparedPicture($"{MediaOptions.UrlPrefix}/products/{productId}/{key}-{Sizes[0]}.webp", files);
    }

    /// <summary>The card's smaller file of a picture this service made (others, such as the demo's drawn tiles, are their own).</summary>
    public static string CardUrl(string url) => url.StartsWith(MediaOptions.UrlPrefix + "/", StringComparison.Ordinal) && url.EndsWith($"-{Sizes[0]}.webp", StringComparison.Ordinal)
        ? url[..^$"-{Sizes[0]}.webp".Length] + $"-{Sizes[1]}.webp"
        : url;

    /// <summary>Phones store photos sideways with an EXIF note of which way is up; shoppers must see them upright.</summary>
    private static SKBitmap Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default) return bitmap.Copy();
        var sideways = origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
        var result = new SKBitmap(sideways ? bitmap.Height : bitmap.Width, sideways ? bitmap.Width : bitmap.Height, bitmap.ColorType, bitmap.AlphaType);
        using var canvas = new SKCanvas(result);
        switch (origin)
        {
            case SKEncodedOrigin.TopRight: canvas.Scale(-1, 1, result.Width / 2f, 0); break;
            case SKEncodedOrigin.BottomRight: canvas.RotateDegrees(180, result.Width / 2f, result.Height / 2f); break;
            case SKEncodedOrigin.BottomLeft: canvas.Scale(1, -1, 0, result.Height / 2f); break;
            case SKEncodedOrigin.RightTop: canvas.Translate(result.Width, 0); canvas.RotateDegrees(90); break;
            case SKEncodedOrigin.LeftBottom: canvas.Translate(0, result.Height); canvas.RotateDegrees(270); break;
            case SKEncodedOrigin.LeftTop: canvas.Translate(result.Width, 0); canvas.RotateDegrees(90); canvas.Scale(1, -1, 0, bitmap.Height / 2f); break;
            case SKEncodedOrigin.RightBottom: canvas.Translate(0, result.Height); canvas.RotateDegrees(270); canvas.Scale(1, -1, 0, bitmap.Height / 2f); break;
        }
        canvas.DrawBitmap(bitmap, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest), null);
        return result;
    }

    private static RequestRejectedException Rejected(string message) => new(new Dictionary<string, string[]> { ["file"] = [message] });
}
