using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OrderHolds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "AuthorizedAtUtc",
                table: "Payments",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "CaptureAskedMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "HeldMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<string>(
                name: "Hold",
                table: "Orders",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "None"); // orders before holds took their money at once (CardHold.None)

            migrationBuilder.AddColumn<long>(
                name: "HoldReleasedMinor",
                table: "Orders",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddCheckConstraint(
                name: "CK_Orders_Hold",
                table: "Orders",
                sql: "\"HeldMinor\" >= 0 AND \"CaptureAskedMinor\" >= 0 AND \"HoldReleasedMinor\" >= 0 AND \"CaptureAskedMinor\" <= \"HeldMinor\" AND (\"HeldMinor\" = 0 OR \"CapturedMinor\" + \"HoldReleasedMinor\" <= \"HeldMinor\")");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "CK_Orders_Hold",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "AuthorizedAtUtc",
                table: "Payments");

            migrationBuilder.DropColumn(
                name: "CaptureAskedMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "HeldMinor",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "Hold",
                table: "Orders");

            migrationBuilder.DropColumn(
                name: "HoldReleasedMinor",
                table: "Orders");
        }
    }
}
