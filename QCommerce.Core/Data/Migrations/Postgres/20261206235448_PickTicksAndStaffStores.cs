using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PickTicksAndStaffStores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "UpdatedAtUtc",
                table: "Fulfillments",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<int>(
                name: "Version",
                table: "Fulfillments",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            // A fulfilment's last change is when it last moved (for the live feed of other instances).
            migrationBuilder.Sql("""
                UPDATE "Fulfillments" SET "UpdatedAtUtc" = COALESCE("DeliveredAtUtc", "DispatchedAtUtc", "PickedAtUtc", "PickStartedAtUtc");
                """);

            // An Ops colleague with no stores used to see every store; from now on one sees exactly their stores, so those who
            // had no stores are given every store there is: what they saw before, said out loud (the staff page shows it).
            migrationBuilder.Sql("""
                INSERT INTO "StaffStores" ("UserId", "StoreId")
                SELECT u."Id", s."Id" FROM "AspNetUsers" AS u CROSS JOIN "Stores" AS s
                WHERE EXISTS (SELECT 1 FROM "AspNetUserRoles" AS ur JOIN "AspNetRoles" AS r ON r."Id" = ur."RoleId" WHERE ur."UserId" = u."Id" AND r."Name" = 'Ops')
                  AND NOT EXISTS (SELECT 1 FROM "AspNetUserRoles" AS ur JOIN "AspNetRoles" AS r ON r."Id" = ur."RoleId" WHERE ur."UserId" = u."Id" AND r."Name" = 'Admin')
                  AND NOT EXISTS (SELECT 1 FROM "StaffStores" AS ss WHERE ss."UserId" = u."Id");
                """);

            migrationBuilder.CreateTable(
                name: "PickTicks",
                columns: table => new
                {
                    OrderId = table.Column<int>(type: "integer", nullable: false),
                    SkuId = table.Column<int>(type: "integer", nullable: false),
                    Found = table.Column<int>(type: "integer", nullable: false),
                    By = table.Column<string>(type: "character varying(300)", maxLength: 300, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PickTicks", x => new { x.OrderId, x.SkuId });
                    table.CheckConstraint("CK_PickTicks_Found", "\"Found\" >= 0");
                    table.ForeignKey(
                        name: "FK_PickTicks_Fulfillments_OrderId",
                        column: x => x.OrderId,
                        principalTable: "Fulfillments",
                        principalColumn: "OrderId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Fulfillments_UpdatedAtUtc",
                table: "Fulfillments",
                column: "UpdatedAtUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "PickTicks");

            migrationBuilder.DropIndex(
                name: "IX_Fulfillments_UpdatedAtUtc",
                table: "Fulfillments");

            migrationBuilder.DropColumn(
                name: "UpdatedAtUtc",
                table: "Fulfillments");

            migrationBuilder.DropColumn(
                name: "Version",
                table: "Fulfillments");
        }
    }
}
