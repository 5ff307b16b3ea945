using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Sqlite
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
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "CaptureFailure",
                table: "Payments",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "CaptureKey",
                table: "Payments",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CaptureRequestedMinor",
                table: "Payments",
                type: "INTEGER",
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
