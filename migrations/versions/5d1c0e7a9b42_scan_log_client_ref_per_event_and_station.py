"""scan_log: client_ref unique per event and station, with the digest of what was scanned

Revision ID: 5d1c0e7a9b42
Revises: 5d0c6f1e9a27
Create Date: 2026-12-04 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d1c0e7a9b42'
down_revision = '5d0c6f1e9a27'
branch_labels = None
depends_on = None


def upgrade():
    # Every existing client_ref is unique on its own, so it is unique per event and station
    # too; old rows have no digest and are replayed as before (see conference.checkin).
    with op.batch_alter_table('scan_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scan_digest', sa.String(length=64), nullable=True))
        batch_op.drop_constraint(batch_op.f('uq_scan_log_client_ref'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_scan_log_event_id_station_client_ref'),
            ['event_id', 'station', 'client_ref'],
        )


def downgrade():
    # The same client_ref at two events or stations cannot stay: the later rows lose theirs.
    op.execute(
        "UPDATE scan_log SET client_ref = NULL WHERE client_ref IS NOT NULL AND id NOT IN "
        "(SELECT min(id) FROM scan_log WHERE client_ref IS NOT NULL GROUP BY client_ref)"
    )
    with op.batch_alter_table('scan_log', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('uq_scan_log_event_id_station_client_ref'), type_='unique'
        )
        batch_op.create_unique_constraint(batch_op.f('uq_scan_log_client_ref'), ['client_ref'])
        batch_op.drop_column('scan_digest')
