using Microsoft.EntityFrameworkCore.Design;

namespace QCommerce.Core.Data;

// Used only by `dotnet ef migrations add`: each provider's migrations are generated from its own context type.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteQCommerceDbContext>
{
    public SqliteQCommerceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteQCommerceDbContext>().UseSqlite("Data Source=design.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresQCommerceDbContext>
{
    public PostgresQCommerceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresQCommerceDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}
