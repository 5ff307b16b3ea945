namespace QCommerce.Tests.Support;

/// <summary>Where tests leave what a person should look at (screenshots, the fuzz report): artifacts/ at the repository root.</summary>
public static class Artifacts
{
    /// <summary>The repository's root, where QCommerce.sln is: tests read the files beside what they compiled (sources, deploy/).</summary>
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "QCommerce.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("QCommerce.sln not found above the test's folder.");
    }

    public static string Folder(string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "artifacts", name);
        Directory.CreateDirectory(folder);
        return folder;
    }
}
