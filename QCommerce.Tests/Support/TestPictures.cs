using SkiaSharp;

namespace QCommerce.Tests.Support;

/// <summary>Real pictures made on the spot, in each format an upload may be, and things that only pretend to be one.</summary>
public static class TestPictures
{
    public static byte[] Make(SKEncodedImageFormat format, int width = 1200, int height = 900)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor(0xF4, 0xEE, 0xE0));
            using var paint = new SKPaint { Color = new SKColor(0x2E, 0x7D, 0x32), IsAntialias = true };
            canvas.DrawCircle(width / 2f, height / 2f, Math.Min(width, height) / 3f, paint);
        }
        using var image = SKImage.FromBitmap(bitmap);
        return image.Encode(format, 90).ToArray();
    }

    public static byte[] Png(int width = 1200, int height = 900) => Make(SKEncodedImageFormat.Png, width, height);

    public static byte[] HtmlNamedPng => "<html><script>alert(1)</script></html>"u8.ToArray();
}
