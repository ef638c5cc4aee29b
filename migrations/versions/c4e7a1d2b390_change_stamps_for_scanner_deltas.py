"""change stamps for scanners' deltas

Registrations, check-ins and undos carry the stamp of the change that wrote them, so a door
scanner fetches what changed since its last copy instead of the whole event (see
conference/sync.py). Rows written before have none: every copy already holds them.

Revision ID: c4e7a1d2b390
Revises: c4e7a1d2f8b3
Create Date: 2026-12-04 16:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c4e7a1d2b390"
down_revision = "c4e7a1d2f8b3"
branch_labels = None
depends_on = None

STAMPED = ("registration", "check_in", "scan_log")


def upgrade():
    clock = op.create_table(
        "sync_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "value": 0}])
    for table in STAMPED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("sync_stamp", sa.BigInteger(), nullable=True))
            batch_op.create_index(f"ix_{table}_event_sync", ["event_id", "sync_stamp"])
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("check_in_id", sa.Integer(), nullable=True))


def downgrade():
    with op.batch_alter_table("scan_log", schema=None) as batch_op:
        batch_op.drop_column("check_in_id")
    for table in reversed(STAMPED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_event_sync")
            batch_op.drop_column("sync_stamp")
    op.drop_table("sync_clock")
