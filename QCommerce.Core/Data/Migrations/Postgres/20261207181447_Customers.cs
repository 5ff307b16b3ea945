using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace QCommerce.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class Customers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "CustomerNotes",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    UserId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Text = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    StaffUserId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    StaffEmail = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    AtUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CustomerNotes", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CustomerNotes_UserId_AtUtc",
                table: "CustomerNotes",
                columns: new[] { "UserId", "AtUtc" });

            // Support finds a customer by any part of a name, e-mail or phone (ILIKE '%ana%'): trigram indexes answer that
            // without reading every account (CustomerSearch).
            migrationBuilder.Sql("CREATE EXTENSION IF NOT EXISTS pg_trgm;");
            migrationBuilder.Sql("CREATE INDEX \"IX_AspNetUsers_Email_trgm\" ON \"AspNetUsers\" USING gin (\"Email\" gin_trgm_ops);");
            migrationBuilder.Sql("CREATE INDEX \"IX_AspNetUsers_DisplayName_trgm\" ON \"AspNetUsers\" USING gin (\"DisplayName\" gin_trgm_ops);");
            migrationBuilder.Sql("CREATE INDEX \"IX_AspNetUsers_PhoneNumber_trgm\" ON \"AspNetUsers\" USING gin (\"PhoneNumber\" gin_trgm_ops);");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_AspNetUsers_Email_trgm\";");
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_AspNetUsers_DisplayName_trgm\";");
            migrationBuilder.Sql("DROP INDEX IF EXISTS \"IX_AspNetUsers_PhoneNumber_trgm\";");
            migrationBuilder.DropTable(
                name: "CustomerNotes");
        }
    }
}
