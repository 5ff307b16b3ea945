using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CheckoutPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "PageExpiresAtUtc",
                table: "PaymentAttempts",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<string>(
                name: "PspCheckoutId",
                table: "PaymentAttempts",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_PaymentAttempts_PspCheckoutId",
                table: "PaymentAttempts",
                column: "PspCheckoutId",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_PaymentAttempts_PspCheckoutId",
                table: "PaymentAttempts");

            migrationBuilder.DropColumn(
                name: "PageExpiresAtUtc",
                table: "PaymentAttempts");

            migrationBuilder.DropColumn(
                name: "PspCheckoutId",
                table: "PaymentAttempts");
        }
    }
}
