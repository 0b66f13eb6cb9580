"""the schools of each pair as rows: ``pair_schools``

A school account sees the pairs its school is on. That was worked out by reading every pair of the program
and testing its JSON lists of school names, on each of the account's requests (≈ 0.3 s a request at 10,000
pairs). ``pair_schools`` holds one row per pair and school name (either side), indexed by program and name,
written by the roster import; existing pairs get theirs from their ``supporting`` and ``supported`` lists.

Revision ID: pair_schools
Revises: password_set_by_other
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pair_schools"
down_revision = "password_set_by_other"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pair_schools",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["programs.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("pair_id", "name", name="uq_pair_schools_pair_name"),
    )
    op.create_index("ix_pair_schools_program_name", "pair_schools", ["program_id", "name"])
    op.create_index("ix_pair_schools_pair_id", "pair_schools", ["pair_id"])
    bind = op.get_bind()
    pairs = sa.table("pairs", sa.column("id"), sa.column("program_id"), sa.column("supporting", sa.JSON),
                     sa.column("supported", sa.JSON))  # fmt: skip
    schools = sa.table("pair_schools", sa.column("program_id"), sa.column("pair_id"), sa.column("name"))
    rows = [
        {"program_id": program_id, "pair_id": pair_id, "name": name}
        for pair_id, program_id, supporting, supported in bind.execute(
            sa.select(pairs.c.id, pairs.c.program_id, pairs.c.supporting, pairs.c.supported)
        )
        for name in dict.fromkeys([*(supporting or []), *(supported or [])])
    ]
    if rows:
        bind.execute(schools.insert(), rows)


def downgrade() -> None:
    op.drop_index("ix_pair_schools_pair_id", table_name="pair_schools")
    op.drop_index("ix_pair_schools_program_name", table_name="pair_schools")
    op.drop_table("pair_schools")
