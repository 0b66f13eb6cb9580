"""school names: a program's school name table, and documents that are drafts

* ``school_names``: a program's full names, short names and party organisations (docgen/school_names.py);
* ``documents.draft`` / ``documents.draft_reasons``: the document was made while a party's name was still
  abbreviated, a placeholder or missing (existing documents: not drafts — they were made before the rule).

Revision ID: school_names
Revises: roster_identity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "school_names"  # alembic refuses "-" in a revision id (branch: roster-names)
down_revision = "roster_identity"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_names",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("short_names", sa.Text(), nullable=False),
        sa.Column("party_org", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name="fk_school_names_program_id_programs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_school_names"),
    )
    with op.batch_alter_table("school_names", schema=None) as batch_op:
        batch_op.create_index("ix_school_names_program_id", ["program_id"], unique=False)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("draft_reasons", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_column("draft_reasons")
        batch_op.drop_column("draft")
    op.drop_table("school_names")
