"""certificate mails: whom the certificates of attendance were sent to

Sending an event's certificates records each e-mail with its registration (unique), so a
sending that starts over, or is started again, sends no one theirs twice.

Revision ID: c8e2f4a6b913
Revises: b7e2d4f6a8c1
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

from conference.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "c8e2f4a6b913"
down_revision = "b7e2d4f6a8c1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_certificate_mail_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox_message.id"],
            name=op.f("fk_certificate_mail_message_id_outbox_message"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_certificate_mail_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate_mail")),
        sa.UniqueConstraint("registration_id", name=op.f("uq_certificate_mail_registration_id")),
    )
    with op.batch_alter_table("certificate_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_mail_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_certificate_mail_message_id"), ["message_id"])


def downgrade():
    with op.batch_alter_table("certificate_mail", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_mail_message_id"))
        batch_op.drop_index(batch_op.f("ix_certificate_mail_event_id"))
    op.drop_table("certificate_mail")
