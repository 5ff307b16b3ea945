using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Customers;

/// <summary>A note staff keep on a customer (a call, a complaint, a promise made): staff read it, the customer never does.</summary>
public sealed class CustomerNote
{
    public const int MaxLength = 1000;

    private CustomerNote() { }

    internal CustomerNote(string userId, string text, StaffActor staff, DateTime now)
    {
        UserId = userId;
        Text = text;
        StaffUserId = staff.UserId;
        StaffEmail = staff.Email;
        AtUtc = now;
    }

    public long Id { get; private set; }
    public string UserId { get; private set; } = "";
    public string Text { get; private set; } = "";
    public string StaffUserId { get; private set; } = "";
    public string StaffEmail { get; private set; } = "";
    public DateTime AtUtc { get; private set; }
}

internal sealed class CustomerNoteConfiguration : IEntityTypeConfiguration<CustomerNote>
{
    public void Configure(EntityTypeBuilder<CustomerNote> b)
    {
        b.ToTable("CustomerNotes");
        b.Property(n => n.UserId).HasMaxLength(64);
        b.Property(n => n.Text).HasMaxLength(CustomerNote.MaxLength);
        b.Property(n => n.StaffUserId).HasMaxLength(64);
        b.Property(n => n.StaffEmail).HasMaxLength(256);
        b.HasIndex(n => new { n.UserId, n.AtUtc });
    }
}
