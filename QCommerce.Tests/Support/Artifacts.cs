namespace QCommerce.Tests.Support;

/// <summary>Where tests leave what a person should look at (screenshots, the fuzz report): artifacts/ at the repository root.</summary>
public static class Artifacts
{
    public static string Folder(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QCommerce.sln"))) dir = dir.Parent;
        var folder = Path.Combine(dir?.FullName ?? AppContext.BaseDirectory, "artifacts", name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
