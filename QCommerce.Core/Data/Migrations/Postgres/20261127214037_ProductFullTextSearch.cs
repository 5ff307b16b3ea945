using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ProductFullTextSearch : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A weighted tsvector (title over brand over description) that PostgreSQL keeps current itself.
            migrationBuilder.Sql("""
                ALTER TABLE "Products" ADD COLUMN "SearchVector" tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', coalesce("Title", '')), 'A') ||
                    setweight(to_tsvector('english', coalesce("Brand", '')), 'B') ||
                    setweight(to_tsvector('english', coalesce("Description", '')), 'C')) STORED;
                """);
            migrationBuilder.Sql("""CREATE INDEX "IX_Products_SearchVector" ON "Products" USING GIN ("SearchVector");""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Products_SearchVector";""");
            migrationBuilder.Sql("""ALTER TABLE "Products" DROP COLUMN IF EXISTS "SearchVector";""");
        }
    }
}
