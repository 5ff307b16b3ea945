using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class UnaskedRefunds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "Unasked",
                table: "PaymentRefunds",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            // Until now a refund made at the PSP directly was told by its actor, "psp"; refunds an order promised were never that.
            migrationBuilder.Sql("""UPDATE "PaymentRefunds" SET "Unasked" = TRUE WHERE "Actor" = 'psp';""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Unasked",
                table: "PaymentRefunds");
        }
    }
}
