using System.Net;

namespace QCommerce.Tests.Data;

/// <summary>Several instances started at once on one empty database: each waits its turn at start-up, the demo shop is seeded once.</summary>
public abstract class StartupTests(DatabaseProvider provider)
{
    [Fact]
    public async Task ThreeInstancesStartingTogether_OnAnEmptyDatabase_AllStart_AndTheShopIsSeededOnce()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var instances = Enumerable.Range(0, 3).Select(_ => new QCommerceApp(provider, sharedDatabase: database)).ToList();
        try
        {
            await Task.WhenAll(instances.Select(i => Task.Run(i.InitializeAsync)));

            foreach (var instance in instances)
                Assert.Equal(HttpStatusCode.OK, (await instance.CreateClient().GetAsync("/health/ready")).StatusCode);
            await using var db = database.CreateContext();
            Assert.Equal(3, await db.Stores.CountAsync());
            Assert.Equal(await db.Categories.Select(c => c.Slug).Distinct().CountAsync(), await db.Categories.CountAsync());
            Assert.Equal(4, await db.Coupons.CountAsync());
            Assert.Equal(1, await db.Users.CountAsync(u => u.Email == QCommerceApp.AdminEmail));
            Assert.Equal(QCommerce.Core.Identity.Roles.All.Count, await db.Roles.CountAsync());
        }
        finally
        {
            foreach (var instance in instances) await instance.DisposeAsync();
        }
    }
}

public sealed class SqliteStartupTests() : StartupTests(DatabaseProvider.Sqlite);

public sealed class PostgresStartupTests() : StartupTests(DatabaseProvider.Postgres);
