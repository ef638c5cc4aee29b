"""registrations by status and family name

The arrivals screen lists who is still expected at the door, by family name: with this
index the list stops after its 200 people instead of sorting every confirmed delegate.

Revision ID: d2b7c4e9a1f0
Revises: c4e7a1d2b390
Create Date: 2026-12-04 18:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d2b7c4e9a1f0"
down_revision = "c4e7a1d2b390"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.create_index(
            "ix_registration_event_status_family", ["event_id", "status", "family_name"]
        )


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_event_status_family")
