using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Sqlite
{
    /// <summary>
    /// Shoppers' search moved into the catalog snapshot (CatalogSearchIndex): the FTS5 index and the triggers that kept
    /// it in step go, and product writes no longer pay for them. Down puts them back as ProductFullTextSearch made them.
    /// </summary>
    public partial class SearchInMemory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Products_SearchUpdate";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Products_SearchDelete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "Products_SearchInsert";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "ProductSearch";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // An external-content FTS5 index over the product text, kept in step by triggers.
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "ProductSearch" USING fts5(
                    "Title", "Brand", "Description",
                    content='Products', content_rowid='Id',
                    tokenize='porter unicode61 remove_diacritics 2');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Products_SearchInsert" AFTER INSERT ON "Products" BEGIN
                    INSERT INTO "ProductSearch"(rowid, "Title", "Brand", "Description")
                    VALUES (new."Id", new."Title", new."Brand", new."Description");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Products_SearchDelete" AFTER DELETE ON "Products" BEGIN
                    INSERT INTO "ProductSearch"("ProductSearch", rowid, "Title", "Brand", "Description")
                    VALUES ('delete', old."Id", old."Title", old."Brand", old."Description");
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Products_SearchUpdate" AFTER UPDATE OF "Title", "Brand", "Description" ON "Products" BEGIN
                    INSERT INTO "ProductSearch"("ProductSearch", rowid, "Title", "Brand", "Description")
                    VALUES ('delete', old."Id", old."Title", old."Brand", old."Description");
                    INSERT INTO "ProductSearch"(rowid, "Title", "Brand", "Description")
                    VALUES (new."Id", new."Title", new."Brand", new."Description");
                END;
                """);
            migrationBuilder.Sql("""INSERT INTO "ProductSearch"("ProductSearch") VALUES ('rebuild');""");
        }
    }
}
