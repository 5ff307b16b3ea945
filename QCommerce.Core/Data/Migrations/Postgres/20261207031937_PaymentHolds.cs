using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PaymentHolds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AuthorizedMinor",
                table: "Payments",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "CaptureFailure",
                table: "Payments",
                type: "character varying(300)",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CaptureKey",
                table: "Payments",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CaptureRequestedMinor",
                table: "Payments",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AuthorizedMinor",
                table: "Payments");

            migrationBuilder.DropColumn(
                name: "CaptureFailure",
                table: "Payments");

            migrationBuilder.DropColumn(
                name: "CaptureKey",
                table: "Payments");

            migrationBuilder.DropColumn(
                name: "CaptureRequestedMinor",
                table: "Payments");
        }
    }
}
