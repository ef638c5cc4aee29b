"""outbox messages name the registration they are about

A registration's history lists the e-mails sent about it, with their delivery state and
a resend button: each message keeps the registration it was queued for (None for mail to
organisers and team members, and for messages queued before this revision).

Revision ID: f2c4a6e8b0d1
Revises: e5a9c3f1b7d2
Create Date: 2026-12-04 22:45:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f2c4a6e8b0d1"
down_revision = "e5a9c3f1b7d2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_outbox_message_registration_id"), ["registration_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_registration_id_registration"),
            "registration",
            ["registration_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_outbox_message_registration_id_registration"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_outbox_message_registration_id"))
        batch_op.drop_column("registration_id")
