"""user sessions, revoked at sign-out

Revision ID: a7c3e91d5b20
Revises: 5d1c0e7a9b42
Create Date: 2026-12-04 10:40:00.000000

"""
from alembic import op
import sqlalchemy as sa

import conference.dbtypes


# revision identifiers, used by Alembic.
revision = 'a7c3e91d5b20'
down_revision = '5d1c0e7a9b42'
branch_labels = None
depends_on = None


def upgrade():
    # Session cookies from before carry no session id: everyone signs in once more.
    op.create_table('user_session',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', conference.dbtypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))

    op.drop_table('user_session')
