using System.Reflection;
using Mono.Cecil;
using Mono.Cecil.Cil;
using NetArchTest.Rules;

namespace QCommerce.Tests.Architecture;

/// <summary>
/// The arrows written in README.md's Layout (STYLE.md's rules), checked on the compiled code (method bodies included): Core's features in
/// their order, each using only those before it; Common using no feature and not Data; Core knowing nothing of
/// the web; the web's pages and endpoints reaching the database only through Core's use cases.
/// </summary>
public sealed class ArchitectureTests
{
    /// <summary>The order of Core's features: a feature may use those before it, never one after it.</summary>
    public static readonly string[] FeatureOrder =
        ["Stores", "Identity", "Catalog", "Inventory", "Promotions", "Cart", "Ordering", "Payments", "Fulfillment", "Ops"];

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
