"""roster previews: a roster file uploaded for a preview waits here until it is confirmed, cancelled or expires

Revision ID: roster_previews
Revises: school_names
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "roster_previews"  # alembic refuses "-" in a revision id (branch: roster-preview)
down_revision = "school_names"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roster_previews",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("overrides", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name=op.f("fk_roster_previews_program_id_programs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_roster_previews_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roster_previews")),
    )
    with op.batch_alter_table("roster_previews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_roster_previews_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_previews_program_id"), ["program_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_roster_previews_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_table("roster_previews")
