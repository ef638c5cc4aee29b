"""jobs hold a lease renewed by a heartbeat; attempts and a notice of what happened

Revision ID: 5d0c6f1e9a27
Revises: 35124ae02fee
Create Date: 2026-12-04 10:30:00.000000

"""
from alembic import op
import sqlalchemy as sa

import conference.dbtypes


# revision identifiers, used by Alembic.
revision = '5d0c6f1e9a27'
down_revision = '35124ae02fee'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notice', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        # NULL on the rows already there: a job left running by a dead worker counts as
        # expired, so the first reaper finishes it off.
        batch_op.add_column(sa.Column('lease_expires_at', conference.dbtypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_job_lease_expires_at'), ['lease_expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_lease_expires_at'))
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('lease_expires_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('notice')
