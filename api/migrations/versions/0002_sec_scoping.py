"""scoping: audit events carry their program; uploads de-duplicate per uploader scope; records keep an
identity mismatch

* ``audit_events.program_id`` (FK programs, SET NULL, indexed), back-filled from the target
  (``program:N``, ``upload:N``, ``record:N``, ``batch:N``, ``document:N``);
* ``uploads.scope`` (``staff`` or ``user:<id>`` for a school account, back-filled from the uploader's role);
  the unique key becomes ``(program_id, sha256, scope)``;
* ``records.mismatch`` (the identity code a school's form named when it was not the school's pair).

Revision ID: sec_scoping
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "sec_scoping"  # (alembic refuses "-" in a revision id)
down_revision = "0001"
branch_labels = None
depends_on = None

# target prefix -> the table whose row carries program_id (the target's id is after the colon)
_TARGETS = {"upload": "uploads", "record": "records", "batch": "batch_jobs", "document": "documents"}


def _target_id(prefix: str) -> str:
    # the digits after "<prefix>:" (targets are written by the service: always "<word>:<int>")
    return f"CAST(SUBSTR(audit_events.target, {len(prefix) + 2}) AS INTEGER)"


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("program_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_audit_events_program_id_programs"), "programs", ["program_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(batch_op.f("ix_audit_events_program_id"), ["program_id"], unique=False)
    op.execute(
        "UPDATE audit_events SET program_id = (SELECT programs.id FROM programs "
        f"WHERE programs.id = {_target_id('program')}) WHERE target LIKE 'program:%'"
    )
    for prefix, table in _TARGETS.items():
        op.execute(
            f"UPDATE audit_events SET program_id = (SELECT {table}.program_id FROM {table} "
            f"WHERE {table}.id = {_target_id(prefix)}) WHERE target LIKE '{prefix}:%'"
        )

    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scope", sa.String(length=50), nullable=False, server_default="staff"))
    op.execute(
        "UPDATE uploads SET scope = 'user:' || CAST(uploaded_by AS VARCHAR(20)) "
        "WHERE uploaded_by IN (SELECT id FROM users WHERE role = 'school')"
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_constraint("uq_uploads_program_id", type_="unique")
        batch_op.create_unique_constraint("uq_uploads_program_sha256_scope", ["program_id", "sha256", "scope"])

    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mismatch", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("mismatch")
    op.execute(  # keep one upload per (program, sha256) so the old key can come back
        "DELETE FROM uploads WHERE id NOT IN (SELECT MIN(id) FROM uploads GROUP BY program_id, sha256)"
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_constraint("uq_uploads_program_sha256_scope", type_="unique")
        batch_op.create_unique_constraint("uq_uploads_program_id", ["program_id", "sha256"])
        batch_op.drop_column("scope")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_program_id"))
        batch_op.drop_constraint(batch_op.f("fk_audit_events_program_id_programs"), type_="foreignkey")
        batch_op.drop_column("program_id")
