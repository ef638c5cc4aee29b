"""event branding: a primary colour and a logo

Each event may have its own colour (used on its pages, e-mails and badges, the text on it
derived for contrast) and a logo (PNG or JPEG, re-encoded, stored under a random key in
<instance>/uploads/logos). Events from before keep the site's colours and have no logo.

Revision ID: b7e2d4f6a8c1
Revises: a7d3e5f9c1b2
Create Date: 2026-12-04 23:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e2d4f6a8c1"
down_revision = "a7d3e5f9c1b2"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("brand_colour", sa.String(length=7), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("logo_key", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("logo_type", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("logo_width", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("logo_height", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_event_brand_colour_is_hex"),
            "brand_colour = '' OR (length(brand_colour) = 7 AND substr(brand_colour, 1, 1) = '#')",
        )
        batch_op.create_check_constraint(
            op.f("ck_event_logo_has_a_type"),
            "(logo_key IS NULL AND logo_type IS NULL) "
            "OR (logo_key IS NOT NULL AND logo_type IN ('png', 'jpeg'))",
        )


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_logo_has_a_type"), type_="check")
        batch_op.drop_constraint(op.f("ck_event_brand_colour_is_hex"), type_="check")
        batch_op.drop_column("logo_height")
        batch_op.drop_column("logo_width")
        batch_op.drop_column("logo_type")
        batch_op.drop_column("logo_key")
        batch_op.drop_column("brand_colour")
