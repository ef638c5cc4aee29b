"""members without an address

A head of delegation may register members who have no e-mail address: the head manages
their registrations, and they receive no e-mail. ``registration.email`` becomes nullable
(NULLs never clash in the (event, email) unique constraint, on SQLite and PostgreSQL).

Revision ID: e3a9d0c5b7f2
Revises: d2b7c4e9a1f0
Create Date: 2026-12-05 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e3a9d0c5b7f2"
down_revision = "d2b7c4e9a1f0"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=True)


def downgrade():
    # Addresses in the reserved .invalid domain (RFC 2606): unique, and never delivered.
    op.execute(
        "UPDATE registration SET email = 'no-address-' || id || '@delegation.invalid' "
        "WHERE email IS NULL"
    )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.alter_column("email", existing_type=sa.String(length=254), nullable=False)
