"""template names per bureau: two bureaus may each upload a template of the same name

``templates.name`` was unique across the service, so a bureau uploading a name another bureau had used got 409
— an oracle about another bureau's templates (docs/security.md). The name is now unique among the templates
one admin may see (``api.services.templates.visible``), checked by the service; the column keeps an index.

Revision ID: ui11_template_names
Revises: chunks13_batch_chunks
"""

from __future__ import annotations

from alembic import op

revision = "ui11_template_names"
down_revision = "chunks13_batch_chunks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_templates_name"), type_="unique")
        batch_op.create_index(batch_op.f("ix_templates_name"), ["name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_templates_name"))
        batch_op.create_unique_constraint(op.f("uq_templates_name"), ["name"])
