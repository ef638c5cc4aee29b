"""delegates: visa letters approved by organisers and logged, the events' reply-to address,
files sent with e-mails, notices of moved and cancelled sessions

Letters that were issued before approvals existed count as approved.

Revision ID: e5a9c2d7b310
Revises: 497d1348b525
Create Date: 2026-12-04 19:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

from conference.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "e5a9c2d7b310"
down_revision = "497d1348b525"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "visa_letters_need_approval", sa.Boolean(), server_default=sa.true(), nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("reply_to", sa.String(length=254), server_default="", nullable=False)
        )

    with op.batch_alter_table("visa_details", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=10), server_default="requested", nullable=False)
        )
        batch_op.add_column(sa.Column("decided_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("refusal_reason", sa.Text(), server_default="", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_visa_details_decided_by_id_user"),
            "user",
            ["decided_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_check_constraint(
            op.f("ck_visa_details_status_known"), "status IN ('requested', 'approved', 'refused')"
        )
    op.execute(
        "UPDATE visa_details SET status = 'approved', decided_at = letter_issued_at "
        "WHERE letter_issued_at IS NOT NULL"
    )

    op.create_table(
        "visa_letter_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=80), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_visa_letter_log_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user.id"],
            name=op.f("fk_visa_letter_log_issued_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_visa_letter_log_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visa_letter_log")),
    )
    with op.batch_alter_table("visa_letter_log", schema=None) as batch_op:
        batch_op.create_index("ix_visa_letter_log_event_issued", ["event_id", "issued_at"])
        batch_op.create_index(batch_op.f("ix_visa_letter_log_registration_id"), ["registration_id"])

    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to", sa.String(length=300), nullable=True))

    op.create_table(
        "outbox_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_outbox_attachment_message_id_outbox_message"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachment")),
    )
    with op.batch_alter_table("outbox_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_attachment_message_id"), ["message_id"])


def downgrade():
    with op.batch_alter_table("outbox_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachment_message_id"))
    op.drop_table("outbox_attachment")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_column("reply_to")

    with op.batch_alter_table("visa_letter_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visa_letter_log_registration_id"))
        batch_op.drop_index("ix_visa_letter_log_event_issued")
    op.drop_table("visa_letter_log")

    with op.batch_alter_table("visa_details", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_visa_details_status_known"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_visa_details_decided_by_id_user"), type_="foreignkey"
        )
        batch_op.drop_column("refusal_reason")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decided_at")
        batch_op.drop_column("status")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("reply_to")
        batch_op.drop_column("visa_letters_need_approval")
