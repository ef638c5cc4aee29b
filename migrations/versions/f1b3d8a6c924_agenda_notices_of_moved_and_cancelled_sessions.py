"""agenda notices: delegates told that a session they chose moved or was cancelled

Revision ID: f1b3d8a6c924
Revises: e5a9c2d7b310
Create Date: 2026-12-04 20:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

from conference.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "f1b3d8a6c924"
down_revision = "e5a9c2d7b310"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "agenda_notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("publication_id", sa.Integer(), nullable=True),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("was_starts_at", UTCDateTime(), nullable=True),
        sa.Column("was_ends_at", UTCDateTime(), nullable=True),
        sa.Column("was_room", sa.String(length=100), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=True),
        sa.Column("ends_at", UTCDateTime(), nullable=True),
        sa.Column("room", sa.String(length=100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "change IN ('moved', 'cancelled')", name=op.f("ck_agenda_notice_change_known")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_agenda_notice_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["agenda_publication.id"],
            name=op.f("fk_agenda_notice_publication_id_agenda_publication"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registration.id"],
            name=op.f("fk_agenda_notice_registration_id_registration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_notice")),
    )
    with op.batch_alter_table("agenda_notice", schema=None) as batch_op:
        batch_op.create_index("ix_agenda_notice_event_publication", ["event_id", "publication_id"])
        batch_op.create_index(batch_op.f("ix_agenda_notice_registration_id"), ["registration_id"])


def downgrade():
    with op.batch_alter_table("agenda_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_notice_registration_id"))
        batch_op.drop_index("ix_agenda_notice_event_publication")
    op.drop_table("agenda_notice")
