using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <summary>
    /// Shoppers' search moved into the catalog snapshot (CatalogSearchIndex): the generated tsvector, its GIN index and
    /// the unaccent wrapper go, and product writes no longer pay for them. Down puts them back as ProductFullTextSearch
    /// made them (the unaccent extension itself is left installed: other databases' objects may use it).
    /// </summary>
    public partial class SearchInMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP INDEX IF EXISTS "IX_Products_SearchVector";""");
            migrationBuilder.Sql("""ALTER TABLE "Products" DROP COLUMN IF EXISTS "SearchVector";""");
            migrationBuilder.Sql("DROP FUNCTION IF EXISTS qc_unaccent(text);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Accents are folded on both sides, as SQLite's remove_diacritics does: "haagen" finds "Häagen".
            // unaccent() is only STABLE, and a generated column needs an IMMUTABLE function: hence the wrapper.
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS unaccent;");
            migrationBuilder.Sql("""
                CREATE OR REPLACE FUNCTION qc_unaccent(text) RETURNS text
                LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
                AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$;
                """);
            // A weighted tsvector (title over brand over description) that PostgreSQL keeps current itself.
            migrationBuilder.Sql("""
                ALTER TABLE "Products" ADD COLUMN "SearchVector" tsvector GENERATED ALWAYS AS (
                    setweight(to_tsvector('english', qc_unaccent(coalesce("Title", ''))), 'A') ||
                    setweight(to_tsvector('english', qc_unaccent(coalesce("Brand", ''))), 'B') ||
                    setweight(to_tsvector('english', qc_unaccent(coalesce("Description", ''))), 'C')) STORED;
                """);
            migrationBuilder.Sql("""CREATE INDEX "IX_Products_SearchVector" ON "Products" USING GIN ("SearchVector");""");
        }
    }
}
