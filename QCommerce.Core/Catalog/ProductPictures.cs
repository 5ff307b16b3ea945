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
/// <param name="DecodedWidth">The size it was decoded at (shrunk while decoding when the format allows): what it cost in memory.</param>
public sealed record PreparedPicture(string Url, IReadOnlyList<(string Path, byte[] Bytes)> Files, int DecodedWidth, int DecodedHeight);

/// <summary>
/// Uploaded product pictures, judged by their content and never by their name: PNG, JPEG or WebP by their first bytes,
/// at most 5 MB, decoded (so a file that only starts like a picture is refused) within a memory budget, two at a time,
/// resized to the storefront's two sizes, turned upright by its EXIF orientation, and re-encoded as WebP by SkiaSharp
/// (MIT; Skia is BSD-3-Clause). Re-encoding drops whatever else the file carried (metadata, scripts, trailing bytes).
/// </summary>
public static class ProductPictures
{
    public const int MaxBytes = 5 * 1024 * 1024;
    public const int MinSide = 100;

    /// <summary>
    /// The memory one picture may take to decode: 16 megapixels at 4 bytes each, 64 MB. A JPEG or WebP larger than the
    /// storefront needs is decoded already shrunk (by 1/2, 1/4 or 1/8, as the format allows), so a 6,300 × 6,300 photo
    /// costs about 10 MB; a format that cannot shrink while decoding (PNG) over the budget is refused before a byte of it
    /// is decoded. A 51 KB file can announce 40 megapixels: its size on disk says nothing of its cost.
    /// </summary>
    public const long MaxDecodePixels = 16_000_000;

    /// <summary>
    /// The most pixels a picture may have at all (100 megapixels, 10,000 × 10,000), however it decodes: reading even a
    /// shrunk one walks every pixel of the file.
    /// </summary>
    public const long MaxSourcePixels = 100_000_000;

    /// <summary>Pictures decoded at once in this process; the rest wait their turn, so many uploads cost at most this many budgets.</summary>
    public const int ConcurrentDecodes = 2;

    private static readonly SemaphoreSlim Decoding = new(ConcurrentDecodes, ConcurrentDecodes);
    private static int _decodingNow, _decodingPeak;

    /// <summary>The most pictures seen decoding at once since the last <see cref="ResetPeak"/> (for tests and the bench).</summary>
    internal static int DecodingPeak => Volatile.Read(ref _decodingPeak);

    internal static void ResetPeak() => Interlocked.Exchange(ref _decodingPeak, Volatile.Read(ref _decodingNow));

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

    /// <summary><see cref="Prepare"/>, taking its turn: at most <see cref="ConcurrentDecodes"/> pictures decode at once.</summary>
    public static async Task<PreparedPicture> PrepareAsync(byte[] upload, int productId, CancellationToken ct)
    {
        await Decoding.WaitAsync(ct);
        var now = Interlocked.Increment(ref _decodingNow);
        for (var peak = Volatile.Read(ref _decodingPeak); now > peak && Interlocked.CompareExchange(ref _decodingPeak, now, peak) != peak; peak = Volatile.Read(ref _decodingPeak)) { }
        try
        {
            return Prepare(upload, productId);
        }
        finally
        {
            Interlocked.Decrement(ref _decodingNow);
            Decoding.Release();
        }
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
        if (info.Width < MinSide || info.Height < MinSide) throw Rejected($"A picture is at least {MinSide}×{MinSide} pixels; this one is {info.Width}×{info.Height}.");
        if ((long)info.Width * info.Height > MaxSourcePixels)
            throw Rejected($"This {kind} is {info.Width}×{info.Height} pixels; a picture is at most {MaxSourcePixels / 1_000_000} megapixels. Save it at most {Sizes[0] * 4} pixels wide or tall and upload it again.");
        // A progressive JPEG is decoded from all of its coefficients at once (16 bits per pixel and colour), even when it is
        // shrunk while decoding: its whole size counts against the budget.
        if (kind == Kind.Jpeg && JpegFrame(upload) is { Progressive: true } frame
            && (long)info.Width * info.Height * frame.Components * 2 > MaxDecodePixels * 4)
            throw Rejected($"This progressive JPEG is {info.Width}×{info.Height} pixels, more than {MaxDecodePixels * 4 / 1_000_000} MB to open. "
                + $"Save it as a standard (baseline) JPEG, or at most {Sizes[0] * 4} pixels wide or tall, and upload it again.");
        var decodeSize = DecodeSize(codec);
        if ((long)decodeSize.Width * decodeSize.Height > MaxDecodePixels)
            throw Rejected($"This {kind} is {info.Width}×{info.Height} pixels, more than {MaxDecodePixels / 1_000_000} megapixels to open"
                + (kind == Kind.Png ? " (a PNG cannot be shrunk while it is read)" : "") + $". Save it at most {Sizes[0] * 4} pixels wide or tall and upload it again.");
        // Every pixel must decode: a truncated or damaged file decodes only in part (SkiaSharp says IncompleteInput), and half
        // a grey picture is not one a shopper should see.
        var target = new SKImageInfo(decodeSize.Width, decodeSize.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var decoded = new SKBitmap(target);
        var result = codec.GetPixels(target, decoded.GetPixels());
        if (result != SKCodecResult.Success)
            throw Rejected(result == SKCodecResult.IncompleteInput
                ? $"The {kind} file is incomplete (cut off or damaged); save or export it again."
                : $"The file starts like a {kind} but its picture cannot be decoded.");

        var key = Guid.NewGuid().ToString("N")[..16];
        var files = new List<(string, byte[])>();
        // Shrunk first, turned upright after: the turn then copies the small picture, not the decoded one.
        using var large = Resize(decoded, Sizes[0]);
        using var upright = Upright(large ?? decoded, codec.EncodedOrigin);
        foreach (var size in Sizes)
        {
            using var resized = Resize(upright ?? large ?? decoded, size);
            using var image = SKImage.FromBitmap(resized ?? upright ?? large ?? decoded);
            using var webp = image.Encode(SKEncodedImageFormat.Webp, 82) ?? throw new InvalidOperationException("SkiaSharp could not encode WebP.");
            files.Add(($"products/{productId}/{key}-{size}.webp", webp.ToArray()));
        }
        return new PreparedPicture($"{MediaOptions.UrlPrefix}/products/{productId}/{key}-{Sizes[0]}.webp", files, decodeSize.Width, decodeSize.Height);
    }

    /// <summary>
    /// The smallest size the codec can decode to that still covers the large picture (<see cref="Sizes"/>[0] on the long
    /// side): JPEG and WebP shrink while decoding, PNG decodes whole.
    /// </summary>
    private static SKSizeI DecodeSize(SKCodec codec)
    {
        var full = codec.Info.Size;
        var best = full;
        foreach (var scale in new[] { 0.5f, 0.25f, 0.125f })
        {
            var scaled = codec.GetScaledDimensions(scale);
            if (Math.Max(scaled.Width, scaled.Height) < Sizes[0] || scaled.Width * (long)scaled.Height >= best.Width * (long)best.Height) continue;
            best = scaled;
        }
        return best;
    }

    /// <summary>
    /// A JPEG's frame header (its SOF marker): progressive or not, and how many colour components it has. Null when the
    /// markers end, or go wrong, before one (the decoder then refuses the file).
    /// </summary>
    internal static (bool Progressive, int Components)? JpegFrame(ReadOnlySpan<byte> jpeg)
    {
        var at = 2; // after SOI
        while (at + 4 <= jpeg.Length)
        {
            if (jpeg[at] != 0xFF) return null;
            var marker = jpeg[at + 1];
            if (marker == 0xFF) { at++; continue; } // fill byte
            if (marker is 0x01 or >= 0xD0 and <= 0xD8) { at += 2; continue; } // markers without a length
            if (marker == 0xDA) return null; // a scan before any frame
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                return at + 9 < jpeg.Length ? (marker is 0xC2 or 0xC6 or 0xCA or 0xCE, jpeg[at + 9]) : null;
            at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);
        }
        return null;
    }

    /// <summary>A copy fitting <paramref name="size"/> on its long side, or null when the picture fits already (nothing to copy).</summary>
    private static SKBitmap? Resize(SKBitmap bitmap, int size)
    {
        var scale = (double)size / Math.Max(bitmap.Width, bitmap.Height);
        if (scale >= 1) return null;
        var box = new SKImageInfo(Math.Max(1, (int)Math.Round(bitmap.Width * scale)), Math.Max(1, (int)Math.Round(bitmap.Height * scale)),
            SKColorType.Rgba8888, SKAlphaType.Premul);
        return bitmap.Resize(box, new SKSamplingOptions(SKCubicResampler.Mitchell));
    }

    /// <summary>The card's smaller file of a picture this service made (others, such as the demo's drawn tiles, are their own).</summary>
    public static string CardUrl(string url) => url.StartsWith(MediaOptions.UrlPrefix + "/", StringComparison.Ordinal) && url.EndsWith($"-{Sizes[0]}.webp", StringComparison.Ordinal)
        ? url[..^$"-{Sizes[0]}.webp".Length] + $"-{Sizes[1]}.webp"
        : url;

    /// <summary>
    /// Phones store photos sideways with an EXIF note of which way is up; shoppers must see them upright. Null when the
    /// picture is upright already (nothing to copy).
    /// </summary>
    private static SKBitmap? Upright(SKBitmap bitmap, SKEncodedOrigin origin)
    {
        if (origin is SKEncodedOrigin.TopLeft or SKEncodedOrigin.Default) return null;
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
