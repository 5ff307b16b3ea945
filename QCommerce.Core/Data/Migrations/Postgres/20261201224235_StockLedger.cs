using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class StockLedger : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LowSinceUtc",
                table: "Stock",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Stock_LowSinceUtc",
                table: "Stock",
                column: "LowSinceUtc");

            migrationBuilder.CreateIndex(
                name: "IX_Stock_StoreId_LowSinceUtc",
                table: "Stock",
                columns: new[] { "StoreId", "LowSinceUtc" });

            // The ledger begins: each store's SKU gets an opening balance of what its movements so far do not explain,
            // so from here on the movements of every store and SKU sum to its OnHand.
            migrationBuilder.Sql("""
                INSERT INTO "StockMovements" ("StoreId", "SkuId", "Kind", "Quantity", "Reference", "Actor", "Note", "AtUtc")
                SELECT s."StoreId", s."SkuId", 'OpeningBalance',
                       s."OnHand" - COALESCE((SELECT SUM(m."Quantity") FROM "StockMovements" m WHERE m."StoreId" = s."StoreId" AND m."SkuId" = s."SkuId"), 0),
                       NULL, 'system', 'Opening balance (the stock ledger began)', now()
                FROM "Stock" s
                WHERE s."OnHand" <> COALESCE((SELECT SUM(m."Quantity") FROM "StockMovements" m WHERE m."StoreId" = s."StoreId" AND m."SkuId" = s."SkuId"), 0);
                """);
            // What is low already is marked without an alert: nothing crossed.
            migrationBuilder.Sql("""
                UPDATE "Stock" SET "LowSinceUtc" = now() WHERE "OnHand" - "Reserved" <= "LowStockThreshold";
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Stock_LowSinceUtc",
                table: "Stock");

            migrationBuilder.DropIndex(
                name: "IX_Stock_StoreId_LowSinceUtc",
                table: "Stock");

            migrationBuilder.DropColumn(
                name: "LowSinceUtc",
                table: "Stock");
        }
    }
}
