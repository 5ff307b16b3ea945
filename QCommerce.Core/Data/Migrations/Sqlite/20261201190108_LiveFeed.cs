using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class LiveFeed : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Payments_UpdatedAtUtc",
                table: "Payments",
                column: "UpdatedAtUtc");

            migrationBuilder.CreateIndex(
                name: "IX_Orders_UpdatedAtUtc",
                table: "Orders",
                column: "UpdatedAtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Payments_UpdatedAtUtc",
                table: "Payments");

            migrationBuilder.DropIndex(
                name: "IX_Orders_UpdatedAtUtc",
                table: "Orders");
        }
    }
}
