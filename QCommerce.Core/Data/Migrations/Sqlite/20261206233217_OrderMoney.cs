using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrderMoney : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "CapturedMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "GoodwillMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "MoneyReviewNote",
                table: "Orders",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "PickedAtUtc",
                table: "Orders",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RefundPendingMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "RefundedMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "DiscountMinor",
                table: "OrderLines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "RefundedMinor",
                table: "OrderLines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<int>(
                name: "RemovedQuantity",
                table: "OrderLines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<long>(
                name: "TaxMinor",
                table: "OrderLines",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "RefundMinor",
                table: "OrderEvents",
                type: "INTEGER",
                nullable: true);


            // Orders placed before this migration: their money from their payments (a pending refund never above what was left,
            // a PSP refund nobody asked for included), when their pick finished, and each line's part of the discount and tax in
            // proportion to its goods (floors, the rest to the first line). An order picked short before it has its parts of
            // what it cost after the pick. Goodwill is unknown for them and counts as none.
            migrationBuilder.Sql("""
                UPDATE "Orders" SET
                    "CapturedMinor" = COALESCE((SELECT p."CapturedMinor" FROM "Payments" AS p WHERE p."OrderId" = "Orders"."Id"), 0),
                    "RefundedMinor" = COALESCE((SELECT p."RefundedMinor" FROM "Payments" AS p WHERE p."OrderId" = "Orders"."Id"), 0),
                    "PickedAtUtc" = (SELECT f."PickedAtUtc" FROM "Fulfillments" AS f WHERE f."OrderId" = "Orders"."Id");
                UPDATE "Orders" SET "RefundPendingMinor" = MIN("CapturedMinor" - "RefundedMinor", COALESCE((SELECT SUM(r."AmountMinor")
                    FROM "PaymentRefunds" AS r JOIN "Payments" AS p ON p."Id" = r."PaymentId" WHERE p."OrderId" = "Orders"."Id" AND r."Status" = 'Pending'), 0));
                UPDATE "OrderLines" SET "DiscountMinor" = COALESCE((SELECT o."DiscountMinor" FROM "Orders" AS o WHERE o."Id" = "OrderLines"."OrderId")
                    * "UnitPriceMinor" * "Quantity" / NULLIF((SELECT SUM(l."UnitPriceMinor" * l."Quantity") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId"), 0), 0);
                UPDATE "OrderLines" SET "DiscountMinor" = "DiscountMinor" + (SELECT o."DiscountMinor" FROM "Orders" AS o WHERE o."Id" = "OrderLines"."OrderId")
                    - (SELECT SUM(l."DiscountMinor") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId")
                    WHERE "Id" = (SELECT MIN(l."Id") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId");
                UPDATE "OrderLines" SET "TaxMinor" = COALESCE((SELECT o."TaxMinor" FROM "Orders" AS o WHERE o."Id" = "OrderLines"."OrderId")
                    * ("UnitPriceMinor" * "Quantity" - "DiscountMinor")
                    / NULLIF((SELECT SUM(l."UnitPriceMinor" * l."Quantity" - l."DiscountMinor") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId"), 0), 0);
                UPDATE "OrderLines" SET "TaxMinor" = "TaxMinor" + (SELECT o."TaxMinor" FROM "Orders" AS o WHERE o."Id" = "OrderLines"."OrderId")
                    - (SELECT SUM(l."TaxMinor") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId")
                    WHERE "Id" = (SELECT MIN(l."Id") FROM "OrderLines" AS l WHERE l."OrderId" = "OrderLines"."OrderId");
                """);

            migrationBuilder.AddCheckConstraint(
                name: "CK_Orders_Money",
                table: "Orders",
                sql: "\"RefundedMinor\" >= 0 AND \"RefundPendingMinor\" >= 0 AND \"RefundedMinor\" + \"RefundPendingMinor\" <= \"CapturedMinor\"");

            migrationBuilder.AddCheckConstraint(
                name: "CK_OrderLines_Money",
                table: "OrderLines",
                sql: "\"RefundedMinor\" >= 0 AND \"RefundedMinor\" <= \"UnitPriceMinor\" * \"Quantity\" - \"DiscountMinor\" + \"TaxMinor\"");

            migrationBuilder.AddCheckConstraint(
                name: "CK_OrderLines_Units",
                table: "OrderLines",
                sql: "\"ShortQuantity\" >= 0 AND \"RemovedQuantity\" >= 0 AND \"RemovedQuantity\" <= \"RefundedQuantity\" AND \"ShortQuantity\" + \"RefundedQuantity\" <= \"Quantity\"");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "CK_Orders_Money",
                table: "Orders");

            migrationBuilder.DropCheckConstraint(
                name: "CK_OrderLines_Money",
                table: "OrderLines");

            migrationBuilder.DropCheckConstraint(
                name: "CK_OrderLines_Units",
                table: "OrderLines");

            migrationBuilder.DropColumn(
                name: "CapturedMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "GoodwillMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "MoneyReviewNote",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "PickedAtUtc",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "RefundPendingMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "RefundedMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "DiscountMinor",
                table: "OrderLines");

            migrationBuilder.DropColumn(
                name: "RefundedMinor",
                table: "OrderLines");

            migrationBuilder.DropColumn(
                name: "RemovedQuantity",
                table: "OrderLines");

            migrationBuilder.DropColumn(
                name: "TaxMinor",
                table: "OrderLines");

            migrationBuilder.DropColumn(
                name: "RefundMinor",
                table: "OrderEvents");
        }
    }
}
