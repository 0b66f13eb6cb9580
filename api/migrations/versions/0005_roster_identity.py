"""roster identity: pairs keep their schools across re-imports; records and documents point at the pair

* ``pairs.key`` (docgen.model.pair_key of the schools; unique per program, replacing the unique label) and
  ``pairs.removed_at`` (a re-import marks a pair it no longer lists instead of deleting it);
* ``records.pair_id`` and ``documents.pair_id`` (FK pairs, SET NULL), back-filled from the current labels;
  documents are unique per (program, pair, label, kind, format);
* ``pair_labels``: the labels printed for each pair (back-filled from the stored documents), so a form's
  identity code keeps naming the schools it was printed for.

Revision ID: roster_identity
Revises: sec_accounts
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import sqlalchemy as sa
from alembic import op

from docgen.model import owns_label, pair_key

revision = "roster_identity"  # alembic refuses "-" in a revision id (branch: roster-identity)
down_revision = "sec_accounts"
branch_labels = None
depends_on = None


def _owner(pairs: list[tuple[int, str]], label: str | None) -> int | None:
    """The id of the pair (``(id, label)``) a record or document label belongs to; the longest label wins."""
    if label is None:
        return None
    mine = [(len(p_label), p_id) for p_id, p_label in pairs if owns_label(p_label, label)]
    return max(mine)[1] if mine else None


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
    by_program: dict[int, list[tuple[int, str]]] = {}
    seen: Counter[tuple[int, str]] = Counter()
    rows = bind.execute(sa.text("SELECT id, program_id, label, supporting, supported FROM pairs ORDER BY id")).all()
    for pair_id, program_id, label, supporting, supported in rows:
        key = pair_key(_names(supporting), _names(supported))
        seen[(program_id, key)] += 1
        n = seen[(program_id, key)]
        bind.execute(
            sa.text("UPDATE pairs SET key = :k WHERE id = :i"), {"k": key if n == 1 else f"{key}#{n}", "i": pair_id}
        )
        by_program.setdefault(program_id, []).append((pair_id, label))
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_constraint("uq_pairs_program_id", type_="unique")
        batch_op.create_unique_constraint("uq_pairs_program_key", ["program_id", "key"])

    for table in ("records", "documents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("pair_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f"fk_{table}_pair_id_pairs", "pairs", ["pair_id"], ["id"], ondelete="SET NULL")
            batch_op.create_index(f"ix_{table}_pair_id", ["pair_id"], unique=False)
        for row_id, program_id, label in bind.execute(sa.text(f"SELECT id, program_id, pair_label FROM {table}")):
            owner = _owner(by_program.get(program_id, []), label)
            if owner is not None:
                bind.execute(sa.text(f"UPDATE {table} SET pair_id = :p WHERE id = :i"), {"p": owner, "i": row_id})
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_program_id", type_="unique")
        batch_op.create_unique_constraint(
            "uq_documents_pair_kind_format", ["program_id", "pair_id", "pair_label", "kind", "format"]
        )

    op.create_table(
        "pair_labels",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=50), nullable=False),
        sa.Column("pair_id", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["pair_id"], ["pairs.id"], name="fk_pair_labels_pair_id_pairs", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["program_id"], ["programs.id"], name="fk_pair_labels_program_id_programs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_pair_labels"),
        sa.UniqueConstraint("program_id", "label", "pair_id", name="uq_pair_labels_program_label_pair"),
    )
    with op.batch_alter_table("pair_labels", schema=None) as batch_op:
        batch_op.create_index("ix_pair_labels_program_id", ["program_id"], unique=False)
        batch_op.create_index("ix_pair_labels_pair_id", ["pair_id"], unique=False)
    # the documents already generated were printed with their pair's current label
    op.execute(
        "INSERT INTO pair_labels (program_id, label, pair_id, first_at, last_at) "
        "SELECT pairs.program_id, pairs.label, pairs.id, MIN(documents.updated_at), MAX(documents.updated_at) "
        "FROM documents JOIN pairs ON pairs.id = documents.pair_id GROUP BY pairs.program_id, pairs.label, pairs.id"
    )


def _names(value: Any) -> list[str]:
    """School names from a JSON column (a list; some drivers hand back the JSON text)."""
    if isinstance(value, str):
        value = json.loads(value)
    return [str(n) for n in value or []]


def downgrade() -> None:
    op.drop_table("pair_labels")
    op.execute("DELETE FROM documents WHERE pair_id IN (SELECT id FROM pairs WHERE removed_at IS NOT NULL)")
    op.execute(  # one document per (program, label, kind, format) so the old key can come back
        "DELETE FROM documents WHERE id NOT IN "
        "(SELECT MAX(id) FROM documents GROUP BY program_id, pair_label, kind, format)"
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_pair_kind_format", type_="unique")
        batch_op.create_unique_constraint("uq_documents_program_id", ["program_id", "pair_label", "kind", "format"])
    for table in ("records", "documents"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(f"ix_{table}_pair_id")
            batch_op.drop_constraint(f"fk_{table}_pair_id_pairs", type_="foreignkey")
            batch_op.drop_column("pair_id")
    op.execute("DELETE FROM pairs WHERE removed_at IS NOT NULL")  # the old schema had current pairs only
    with op.batch_alter_table("pairs", schema=None) as batch_op:
        batch_op.drop_constraint("uq_pairs_program_key", type_="unique")
        batch_op.create_unique_constraint("uq_pairs_program_id", ["program_id", "label"])
        batch_op.drop_column("removed_at")
        batch_op.drop_column("key")
