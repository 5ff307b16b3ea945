using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Identity;

/// <summary>Sign-up on a real database of each provider: every field validated, one account per email even when two sign up at once.</summary>
public abstract class AccountServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHarness.CreateAsync(provider, services =>
    {
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<QCommerceDbContext>>().CreateDbContext());
        services.AddIdentityCore<AppUser>(o => o.User.RequireUniqueEmail = true).AddEntityFrameworkStores<QCommerceDbContext>();
    });

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<AppUser> RegisterAsync(RegistrationInput input)
    {
        await using var scope = _h.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().RegisterAsync(input);
    }

    private async Task<int> AccountsAsync(string email)
    {
        await using var db = _h.Database.CreateContext();
        return await db.Users.CountAsync(u => u.NormalizedEmail == email.ToUpperInvariant());
    }

    [Fact]
    public async Task Register_WritesTheNameAndWhen()
    {
        var user = await RegisterAsync(new RegistrationInput("  ana@example.com ", "Groceries-2026", " Ana "));

        await using var db = _h.Database.CreateContext();
        var stored = await db.Users.SingleAsync(u => u.Id == user.Id);
        Assert.Equal("ana@example.com", stored.Email);
        Assert.Equal("Ana", stored.DisplayName);
        Assert.Equal(ServiceHarness.Start.UtcDateTime, stored.CreatedAtUtc);
    }

    public static TheoryData<string?, string?, string?, string> BadInputs() => new()
    {
        { null, "Groceries-2026", null, "email" },
        { "", "Groceries-2026", null, "email" },
        { "not-an-email", "Groceries-2026", null, "email" },
        { "a\0b@example.com", "Groceries-2026", null, "email" },
        { new string('a', 250) + "@example.com", "Groceries-2026", null, "email" },
        { "bo@example.com", null, null, "password" },
        { "bo@example.com", "", null, "password" },
        { "bo@example.com", new string('p', 101), null, "password" },
        { "bo@example.com", "Grocer\0ies-2026", null, "password" },
        { "bo@example.com", "Groceries-2026", new string('n', 81), "displayName" },
        { "bo@example.com", "Groceries-2026", "Bo\u0007", "displayName" },
        { "bo@example.com", "short", null, "PasswordTooShort" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Register_WithABadField_IsRefusedNamingIt_AndCreatesNothing(string? email, string? password, string? name, string field)
    {
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => RegisterAsync(new RegistrationInput(email, password, name)));

        Assert.True(error.Errors.ContainsKey(field), $"errors: {string.Join(", ", error.Errors.Keys)}");
        Assert.All(error.Errors.Values.SelectMany(m => m), m => Assert.True(m.Length < 200));
        Assert.Equal(0, await AccountsAsync("bo@example.com"));
    }

    [Fact]
    public async Task Register_ATakenEmail_SaysSoOnce()
    {
        await RegisterAsync(new RegistrationInput("cy@example.com", "Groceries-2026", null));

        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => RegisterAsync(new RegistrationInput("CY@example.com", "Groceries-2026", null)));

        Assert.Equal([nameof(IdentityErrorDescriber.DuplicateUserName)], error.Errors.Keys);
        Assert.Contains("already exists", Assert.Single(error.Errors[nameof(IdentityErrorDescriber.DuplicateUserName)]));
    }

    [Fact]
    public async Task Register_TheSameEmailTwiceAtOnce_MakesOneAccount_AndTellsTheOtherItIsTaken()
    {
        var meet = new ReadersMeet("FROM \"AspNetUsers\"");
        _h.Database.Interceptors.Add(meet);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            try
            {
                await RegisterAsync(new RegistrationInput("dee@example.com", "Groceries-2026", null));
                return "created";
            }
            catch (RequestRejectedException rejected)
            {
                return string.Join(",", rejected.Errors.Keys);
            }
        })));

        Assert.True(meet.Met, "both checked that the email was free before either wrote");
        Assert.Equal(["DuplicateUserName", "created"], attempts.Order(StringComparer.Ordinal));
        Assert.Equal(1, await AccountsAsync("dee@example.com"));
    }
}

public sealed class SqliteAccountServiceTests() : AccountServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresAccountServiceTests() : AccountServiceTests(DatabaseProvider.Postgres);
