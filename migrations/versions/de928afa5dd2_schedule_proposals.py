"""Proposals of parallel sessions

What the solver proposes for an exported instance (issue 14): its progress while the job
runs, the cancel flag the job polls, then the solution, its explanation and the summary
against the draft; accepted into the draft or discarded by an organiser.

Revision ID: de928afa5dd2
Revises: f1b3d8a6c924
Create Date: 2026-12-04 19:56:06.124595

"""
from alembic import op
import sqlalchemy as sa

import conference.dbtypes


# revision identifiers, used by Alembic.
revision = 'de928afa5dd2'
down_revision = 'f1b3d8a6c924'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('schedule_proposal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.Column('progress', sa.JSON(), nullable=False),
    sa.Column('cancel_requested', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('solution', sa.JSON(), nullable=True),
    sa.Column('explanation', sa.JSON(), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('finished_at', conference.dbtypes.UTCDateTime(), nullable=True),
    sa.Column('decided_at', conference.dbtypes.UTCDateTime(), nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('running', 'ready', 'failed', 'cancelled', 'accepted', 'discarded')", name=op.f('ck_schedule_proposal_status_known')),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_schedule_proposal_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by'], ['user.id'], name=op.f('fk_schedule_proposal_decided_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_schedule_proposal_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['instance_id'], ['schedule_instance.id'], name=op.f('fk_schedule_proposal_instance_id_schedule_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_schedule_proposal_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_proposal'))
    )
    with op.batch_alter_table('schedule_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_proposal_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_schedule_proposal_instance_id'), ['instance_id'], unique=False)



def downgrade():
    with op.batch_alter_table('schedule_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_proposal_instance_id'))
        batch_op.drop_index(batch_op.f('ix_schedule_proposal_event_id'))

    op.drop_table('schedule_proposal')
