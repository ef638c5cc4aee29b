"""a badge signing key for every event

Events made before keys were made with the event got theirs on first need, which could be
a GET; now every event has one, so reading it never writes.

Revision ID: b8d4f2a6c913
Revises: a7c3e91d5b20
Create Date: 2026-12-04 14:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

from conference.dbtypes import UTCDateTime

# revision identifiers, used by Alembic.
revision = "b8d4f2a6c913"
down_revision = "a7c3e91d5b20"
branch_labels = None
depends_on = None


def upgrade():
    from conference.badges.services import new_key_material
    from conference.dbtypes import utcnow

    connection = op.get_bind()
    keyless = connection.execute(
        sa.text(
            "SELECT id FROM event WHERE id NOT IN "
            "(SELECT event_id FROM badge_key WHERE revoked_at IS NULL)"
        )
    ).scalars()
    badge_key = sa.table(
        "badge_key",
        sa.column("event_id", sa.Integer),
        sa.column("public_key", sa.LargeBinary),
        sa.column("private_key_encrypted", sa.Text),
        sa.column("created_at", UTCDateTime()),
    )
    for event_id in list(keyless):
        public, private_encrypted = new_key_material()
        connection.execute(
            badge_key.insert().values(
                event_id=event_id,
                public_key=public,
                private_key_encrypted=private_encrypted,
                created_at=utcnow(),
            )
        )


def downgrade():
    pass  # the keys stay: badges may have been signed with them
