using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;

namespace QCommerce.Tests.Identity;

/// <summary>
/// A lost admin login, recovered by whoever runs the server: <c>reset-admin-password</c> gives the admin account a new
/// password (the configured one, or a generated one shown once), unlocks it, and signs out what it had open; run as a
/// command, it prints the login and exits without serving.
/// </summary>
public sealed class AdminResetTests
{
    [Fact]
    public async Task ResettingTheAdmin_UnlocksIt_GivesANewGeneratedPassword_AndSignsOutItsOldToken()
    {
        await using var app = new QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Admin:Password"] = "" });
        await app.InitializeAsync();
        string first;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            // The password generated at the first start was shown once and lost; the account then got locked by bad guesses.
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var admin = (await users.FindByEmailAsync(QCommerceApp.AdminEmail))!;
            first = "Lost-Passw0rd-" + Guid.NewGuid().ToString("N")[..8];
            await users.ResetPasswordAsync(admin, await users.GeneratePasswordResetTokenAsync(admin), first);
        }
        var old = await ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, first);
        Assert.Equal(HttpStatusCode.OK, (await old.Http.GetAsync("/v1/ops/staff")).StatusCode);
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.SetLockoutEndDateAsync((await users.FindByEmailAsync(QCommerceApp.AdminEmail))!, DateTimeOffset.MaxValue);
        }

        var reset = await app.Services.ResetAdminAsync();

        Assert.Equal(QCommerceApp.AdminEmail, reset.Email);
        Assert.False(reset.Created);
        Assert.Matches("^.{16,}$", reset.GeneratedPassword!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.Http.GetAsync("/v1/ops/staff")).StatusCode);
        using var http = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.PostAsJsonAsync("/v1/auth/login", new { email = QCommerceApp.AdminEmail, password = first })).StatusCode);
        var fresh = await ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, reset.GeneratedPassword!);
        Assert.Equal(HttpStatusCode.OK, (await fresh.Http.GetAsync("/v1/ops/staff")).StatusCode);
        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains(QCommerceApp.AdminEmail, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TheCommand_PrintsTheLogin_AndExitsWithoutServing()
    {
        var folder = Directory.CreateTempSubdirectory("qcommerce-reset-");
        try
        {
            async Task<(int Code, string Output)> RunAsync()
            {
                var start = new ProcessStartInfo("dotnet", $"{Path.Combine(AppContext.BaseDirectory, "QCommerce.Web.dll")} {StartupBanner.ResetAdminCommand} --contentRoot {folder.FullName}")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    WorkingDirectory = folder.FullName,
                };
                start.Environment["Database__SeedDemoData"] = "false";
                start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:1"; // were it to listen, it would fail: it must not
                using var process = Process.Start(start)!;
                var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                return (process.ExitCode, output);
            }

            var made = await RunAsync();
            var again = await RunAsync();

            Assert.True(made.Code == 0, made.Output);
            Assert.True(again.Code == 0, again.Output);
            var password = new Regex(@"admin@qcommerce\.local / (\S+)");
            Assert.Matches(password, made.Output); // no admin yet: made, with its password
            Assert.Contains("Admin (ops) login reset:", again.Output);
            Assert.NotEqual(password.Match(made.Output).Groups[1].Value, password.Match(again.Output).Groups[1].Value);
            Assert.DoesNotContain("is running at", again.Output);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            folder.Delete(recursive: true);
        }
    }
}
