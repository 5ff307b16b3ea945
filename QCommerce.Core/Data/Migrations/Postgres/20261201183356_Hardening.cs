using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CouponRedemptions_CouponId_UserId",
                table: "CouponRedemptions");

            migrationBuilder.AddColumn<string>(
                name: "ReviewNote",
                table: "Payments",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "UseNumber",
                table: "CouponRedemptions",
                type: "integer",
                nullable: true);

            // The uses already made of coupons with a per-customer limit are numbered 1, 2, … per customer, as new ones will be.
            migrationBuilder.Sql("""
                UPDATE "CouponRedemptions" AS r SET "UseNumber" = n."Number"
                FROM (SELECT cr."Id", ROW_NUMBER() OVER (PARTITION BY cr."CouponId", cr."UserId" ORDER BY cr."Id") AS "Number"
                      FROM "CouponRedemptions" cr JOIN "Coupons" c ON c."Id" = cr."CouponId" WHERE c."PerCustomerLimit" IS NOT NULL) AS n
                WHERE r."Id" = n."Id";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_CouponRedemptions_CouponId_UserId_UseNumber",
                table: "CouponRedemptions",
                columns: new[] { "CouponId", "UserId", "UseNumber" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_CouponRedemptions_CouponId_UserId_UseNumber",
                table: "CouponRedemptions");

            migrationBuilder.DropColumn(
                name: "ReviewNote",
                table: "Payments");

            migrationBuilder.DropColumn(
                name: "UseNumber",
                table: "CouponRedemptions");

            migrationBuilder.CreateIndex(
                name: "IX_CouponRedemptions_CouponId_UserId",
                table: "CouponRedemptions",
                columns: new[] { "CouponId", "UserId" });
        }
    }
}
