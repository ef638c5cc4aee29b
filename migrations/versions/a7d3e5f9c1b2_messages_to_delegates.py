"""messages to delegates: what organisers sent, and who got it

An organiser's e-mail to a filtered set of an event's registrations (``event_message``),
and one row per registration it was queued for (``message_recipient``), unique per
message and registration so that a sending job run again sends nobody a second copy.

Revision ID: a7d3e5f9c1b2
Revises: f2c4a6e8b0d1
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from conference.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "a7d3e5f9c1b2"
down_revision = "f2c4a6e8b0d1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("filter_summary", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("selected_count", sa.Integer(), nullable=False),
        sa.Column("planned_count", sa.Integer(), nullable=False),
        sa.Column("no_address_count", sa.Integer(), nullable=False),
        sa.Column("no_consent_count", sa.Integer(), nullable=False),
        sa.Column("sent_count", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=32), nullable=True),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("send_token", sa.String(length=80), nullable=False),
        sa.CheckConstraint(
            "kind IN ('registration', 'news')", name=op.f("ck_event_message_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
            name=op.f("fk_event_message_created_by_id_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_message_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["job.id"], name=op.f("fk_event_message_job_id_job"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_message")),
        sa.UniqueConstraint("send_token", name=op.f("uq_event_message_send_token")),
    )
    with op.batch_alter_table("event_message", schema=None) as batch_op:
        batch_op.create_index("ix_event_message_event_created", ["event_id", "created_at"])

    op.create_table(
        "message_recipient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=True),
        sa.Column("outbox_message_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("queued_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["event_message.id"],
            name=op.f("fk_message_recipient_message_id_event_message"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["outbox_message_id"],
            ["outbox_message.id"],
            name=op.f("fk_message_recipient_outbox_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_message_recipient_registration_id_registration"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_recipient")),
        sa.UniqueConstraint(
            "message_id",
            "registration_id",
            name=op.f("uq_message_recipient_message_id_registration_id"),
        ),
    )
    with op.batch_alter_table("message_recipient", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_message_recipient_outbox_message_id"), ["outbox_message_id"]
        )
        batch_op.create_index(
            batch_op.f("ix_message_recipient_registration_id"), ["registration_id"]
        )


def downgrade():
    with op.batch_alter_table("message_recipient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_recipient_registration_id"))
        batch_op.drop_index(batch_op.f("ix_message_recipient_outbox_message_id"))
    op.drop_table("message_recipient")
    with op.batch_alter_table("event_message", schema=None) as batch_op:
        batch_op.drop_index("ix_event_message_event_created")
    op.drop_table("event_message")
