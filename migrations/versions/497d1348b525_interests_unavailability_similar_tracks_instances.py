"""Delegates' interests, presenters' and rooms' unavailable blocks, similar tracks,
exported schedule instances, fixed talks

What the proposals of parallel sessions (issue 14) read from the event: the talks each
delegate wants to hear, the blocks a presenter cannot make and the rooms that cannot be
used, the tracks not to run side by side, the talks kept where they are; and every
exported instance, so that a solution to it is checked against what changed since.

Revision ID: 497d1348b525
Revises: d2b7c4e9a1f0
Create Date: 2026-12-04 19:02:15.646018

"""
from alembic import op
import sqlalchemy as sa

import conference.dbtypes


# revision identifiers, used by Alembic.
revision = '497d1348b525'
down_revision = 'd2b7c4e9a1f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('schedule_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('document', sa.JSON(), nullable=False),
    sa.Column('draft', sa.JSON(), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_schedule_instance_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_schedule_instance_event_id_event'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_instance')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('uq_schedule_instance_event_id_name'))
    )
    with op.batch_alter_table('schedule_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_schedule_instance_event_id'), ['event_id'], unique=False)

    op.create_table('room_unavailability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_room_unavailability_ends_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_room_unavailability_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_room_unavailability_room_id_room'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room_unavailability')),
    sa.UniqueConstraint('room_id', 'starts_at', name=op.f('uq_room_unavailability_room_id_starts_at'))
    )
    with op.batch_alter_table('room_unavailability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_unavailability_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_room_unavailability_room_id'), ['room_id'], unique=False)

    op.create_table('similar_tracks',
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.Column('other_track_id', sa.Integer(), nullable=False),
    sa.CheckConstraint('track_id < other_track_id', name=op.f('ck_similar_tracks_ordered_pair')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_similar_tracks_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_track_id'], ['track.id'], name=op.f('fk_similar_tracks_other_track_id_track'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_similar_tracks_track_id_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('track_id', 'other_track_id', name=op.f('pk_similar_tracks'))
    )
    with op.batch_alter_table('similar_tracks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_similar_tracks_event_id'), ['event_id'], unique=False)

    op.create_table('presenter_unavailability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('ends_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_presenter_unavailability_ends_after_start')),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('fk_presenter_unavailability_event_id_event'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_presenter_unavailability_registration_id_registration'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_presenter_unavailability')),
    sa.UniqueConstraint('registration_id', 'starts_at', name=op.f('uq_presenter_unavailability_registration_id_starts_at'))
    )
    with op.batch_alter_table('presenter_unavailability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_presenter_unavailability_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_presenter_unavailability_registration_id'), ['registration_id'], unique=False)

    op.create_table('talk_interest',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('talk_id', sa.Integer(), nullable=False),
    sa.Column('created_at', conference.dbtypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('fk_talk_interest_registration_id_registration'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['talk_id'], ['talk.id'], name=op.f('fk_talk_interest_talk_id_talk'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_talk_interest')),
    sa.UniqueConstraint('registration_id', 'talk_id', name=op.f('uq_talk_interest_registration_id_talk_id'))
    )
    with op.batch_alter_table('talk_interest', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talk_interest_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_talk_interest_talk_id'), ['talk_id'], unique=False)

    with op.batch_alter_table('talk', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fixed', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('talk', schema=None) as batch_op:
        batch_op.drop_column('fixed')

    with op.batch_alter_table('talk_interest', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talk_interest_talk_id'))
        batch_op.drop_index(batch_op.f('ix_talk_interest_registration_id'))

    op.drop_table('talk_interest')
    with op.batch_alter_table('presenter_unavailability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_presenter_unavailability_registration_id'))
        batch_op.drop_index(batch_op.f('ix_presenter_unavailability_event_id'))

    op.drop_table('presenter_unavailability')
    with op.batch_alter_table('similar_tracks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_similar_tracks_event_id'))

    op.drop_table('similar_tracks')
    with op.batch_alter_table('room_unavailability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_unavailability_room_id'))
        batch_op.drop_index(batch_op.f('ix_room_unavailability_event_id'))

    op.drop_table('room_unavailability')
    with op.batch_alter_table('schedule_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_schedule_instance_event_id'))

    op.drop_table('schedule_instance')
