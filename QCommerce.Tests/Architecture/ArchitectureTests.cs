using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace QCommerce.Tests.Architecture;

/// <summary>
/// The arrows written in README.md's Layout and docs/architecture.md §2, checked on the compiled code (method bodies included): Core's features in
/// their order, each using only those before it; Common using no feature and not Data; Core knowing nothing of
/// the web; the web's pages and endpoints reaching the database only through Core's use cases.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The order of Core's features: a feature may use those before it, never one after it.</summary>
    public static readonly string[] FeatureOrder =
        ["Stores", "Identity", "Catalog", "Inventory", "Promotions", "Cart", "Ordering", "Payments", "Fulfillment", "Messages", "Webhooks", "Customers", "Ops"];

    private static readonly Assembly Core = typeof(QCommerce.Core.Common.Money).Assembly;
    private static readonly Assembly Web = typeof(QCommerce.Web.Common.ReturnUrls).Assembly;

    private static string Ns(string feature) => $"QCommerce.Core.{feature}";

    public static TheoryData<string> Features() => [.. FeatureOrder];

    [Theory]
    [MemberData(nameof(Features))]
    public void AFeature_UsesNoFeatureAfterIt(string feature)
    {
        var later = FeatureOrder.SkipWhile(f => f != feature).Skip(1).Select(Ns).ToArray();
        if (later.Length == 0) return;

        var result = Types.InAssembly(Core).That().ResideInNamespace(Ns(feature)).ShouldNot().HaveDependencyOnAny(later).GetResult();

        Assert.True(result.IsSuccessful, $"{feature} uses a feature after it ({string.Join(", ", later)}): {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    /// <summary>
    /// A feature reaches another only through what that one publishes: no call, construction or setter of another feature's
    /// <c>internal</c> member (say Fulfillment calling Ordering's <c>StaffOrderService.LoadAsync</c>). Read from the method bodies,
    /// compiler-generated ones (async state machines, lambdas) counted as their declaring type's. Shared steps become a
    /// type of their own in the feature that owns them, or a public method of it.
    /// </summary>
    [Fact]
    public void NoFeature_CallsAnotherFeaturesInternals()
    {
        using var module = ModuleDefinition.ReadModule(Core.Location);
        var reachIns = (from type in module.GetTypes()
                        let caller = FeatureOf(type)
                        where caller is not null
                        from method in type.Methods
                        where method.HasBody
                        from instruction in method.Body.Instructions
                        let called = (instruction.Operand as MethodReference)?.Resolve()
                        where called is { IsAssembly: true } || called is { IsFamilyAndAssembly: true }
                        let owner = FeatureOf(called.DeclaringType)
                        where owner is not null && owner != caller
                        select $"{Outermost(type).FullName} ({caller}) uses {called.DeclaringType.Name}.{called.Name} ({owner})").Distinct().ToList();

        Assert.True(reachIns.Count == 0, $"a feature reaches into another's internals:\n{string.Join("\n", reachIns)}");
    }

    private static TypeDefinition Outermost(TypeDefinition type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    private static string? FeatureOf(TypeDefinition type)
    {
        var ns = Outermost(type).Namespace.Split('.');
        return ns.Length >= 3 && ns[0] == "QCommerce" && ns[1] == "Core" && FeatureOrder.Contains(ns[2]) ? ns[2] : null;
    }

    private static DirectoryInfo Root() => new(Artifacts.RepositoryRoot());

    private static IEnumerable<(string Path, string Feature)> CoreSources()
    {
        var core = Path.Combine(Root().FullName, "QCommerce.Core");
        return Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(core, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/") && !f.StartsWith("obj/"))
            .Select(f => (f, f.Contains('/') ? f[..f.IndexOf('/')] : ""));
    }

    /// <summary>
    /// No <c>using</c> line points against the order either, even one the compiler drops as unused: it invites the next
    /// reach-in and misleads a reader about what the file needs.
    /// </summary>
    [Fact]
    public void NoUsingLine_PointsAgainstTheFeatureOrder()
    {
        var against = new List<string>();
        foreach (var (file, feature) in CoreSources().Where(s => FeatureOrder.Contains(s.Feature) || s.Feature == "Common"))
        {
            var allowed = feature == "Common" ? [] : FeatureOrder.TakeWhile(f => f != feature).Append(feature).Append("Data").ToHashSet();
            foreach (var line in File.ReadLines(Path.Combine(Root().FullName, "QCommerce.Core", file)))
            {
                var m = System.Text.RegularExpressions.Regex.Match(line, @"^using QCommerce\.Core\.(\w+)");
                if (m.Success && m.Groups[1].Value != "Common" && !allowed.Contains(m.Groups[1].Value)) against.Add($"{file}: {line.Trim()}");
            }
        }
        Assert.True(against.Count == 0, $"using lines against the feature order:\n{string.Join("\n", against)}");
    }

    /// <summary>A file holds one thing: past 300 lines a Core file usually holds two use-case families. Migrations and demo data are data.</summary>
    [Fact]
    public void NoCoreFile_IsOver300Lines()
    {
        var long_ = CoreSources().Where(s => !s.Path.StartsWith("Data/Migrations/") && !s.Path.StartsWith("Data/DemoData"))
            .Select(s => (s.Path, Lines: File.ReadLines(Path.Combine(Root().FullName, "QCommerce.Core", s.Path)).Count()))
            .Where(s => s.Lines > 300).Select(s => $"{s.Path}: {s.Lines} lines").ToList();
        Assert.True(long_.Count == 0, $"Core files over 300 lines; split them by use case:\n{string.Join("\n", long_)}");
    }

    /// <summary>
    /// One spelling in code: the feature is Fulfillment, in every type, member and file name (the portal's words and its
    /// /ops/fulfilment address may say fulfilment; a migration's name is history).
    /// </summary>
    [Fact]
    public void CodeNames_SpellFulfillmentOneWay()
    {
        var names = new[] { Core, Web }.SelectMany(a => a.GetTypes())
            .SelectMany(t => t.GetMembers(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Select(m => $"{t.FullName}.{m.Name}").Prepend(t.FullName ?? t.Name))
            .Where(n => n.Contains("Fulfilment", StringComparison.Ordinal) && !n.Contains(".Migrations.", StringComparison.Ordinal));
        var files = Directory.EnumerateFiles(Root().FullName, "*.*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).Contains("Fulfilment", StringComparison.Ordinal) && !f.Contains("Migrations") && !f.Contains("/bin/") && !f.Contains("/obj/"));
        var found = names.Concat(files).ToList();
        Assert.True(found.Count == 0, $"spelled Fulfilment:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void Common_UsesNoFeatureAndNotData()
    {
        var result = Types.InAssembly(Core).That().ResideInNamespace("QCommerce.Core.Common")
            .ShouldNot().HaveDependencyOnAny([.. FeatureOrder.Select(Ns), "QCommerce.Core.Data"]).GetResult();

        Assert.True(result.IsSuccessful, $"Common uses a feature or Data: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void EveryCoreFolder_IsCommonDataOrAFeatureInTheOrder()
    {
        var folders = Core.GetTypes().Select(t => t.Namespace).OfType<string>().Where(n => n.StartsWith("QCommerce.Core.", StringComparison.Ordinal))
            .Select(n => n.Split('.')[2]).Distinct();

        Assert.All(folders, f => Assert.True(f is "Common" or "Data" || FeatureOrder.Contains(f), $"{f} is not in the written order"));
    }

    [Fact]
    public void Core_KnowsNothingOfTheWeb()
    {
        var result = Types.InAssembly(Core).ShouldNot()
            .HaveDependencyOnAny("QCommerce.Web", "Microsoft.AspNetCore.Components", "Microsoft.AspNetCore.Mvc", "Microsoft.AspNetCore.Http", "MudBlazor")
            .GetResult();

        Assert.True(result.IsSuccessful, $"Core uses web types: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }

    [Fact]
    public void WebPagesAndEndpoints_ReachTheDatabaseOnlyThroughCore()
    {
        // The sandbox PSP keeps its own database; start-up migrates; Identity's stores are wired to the context.
        var result = Types.InAssembly(Web)
            .That().DoNotResideInNamespace("QCommerce.Web.Payments.Sandbox")
            .And().DoNotHaveName("Startup", "IdentitySetup")
            .ShouldNot().HaveDependencyOn("QCommerce.Core.Data.QCommerceDbContext")
            .GetResult();

        Assert.True(result.IsSuccessful, $"Web types touching QCommerceDbContext: {string.Join(", ", result.FailingTypeNames ?? [])}");
    }
}
