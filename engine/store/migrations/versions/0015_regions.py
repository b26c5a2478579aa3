"""regions and published_reforms; a region on accounts, cases, case summaries, model versions, drafts and the
design log (issue #13). Every existing row goes to the root region 'province' (its names can be changed with
`onething region add province --name-zh .. --name-en ..`), so nothing changes meaning: one region runs as before.

Revision ID: 0015
Revises: 0014
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

ROOT = "province"


def _now() -> datetime:
    if op.get_bind().dialect.name == "sqlite":  # kept naive in UTC there, as engine.store.tables.UTCDateTime does
        return datetime.now(UTC).replace(tzinfo=None)
    return datetime.now(UTC)


def _region_column() -> sa.Column:
    return sa.Column("region", sa.String(64), nullable=False, server_default=ROOT)


def upgrade() -> None:
    regions = op.create_table(
        "regions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("parent_id", sa.String(64), sa.ForeignKey("regions.id"), nullable=True),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("name_zh", sa.String(255), nullable=False),
        sa.Column("name_en", sa.String(255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_regions_parent_id", "regions", ["parent_id"])
    op.bulk_insert(regions, [{"id": ROOT, "parent_id": None, "level": "province", "name_zh": "全省",
                              "name_en": "Province", "created_at": _now()}])
    op.create_table(
        "published_reforms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("matter_id", sa.String(64), nullable=False),
        sa.Column("variant", sa.String(32), nullable=False),
        sa.Column("region", sa.String(64), sa.ForeignKey("regions.id"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("model_version_id", sa.Integer(), sa.ForeignKey("model_versions.id"), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.UniqueConstraint("matter_id", "region", "number", name="uq_published_reforms_number"),
    )
    op.create_index("ix_published_reforms_matter", "published_reforms", ["matter_id", "published_at"])
    with op.batch_alter_table("model_versions") as batch:
        batch.add_column(_region_column())
        batch.add_column(sa.Column("adopted_from", sa.Integer(), nullable=True))
        batch.drop_constraint("uq_model_versions_content", type_="unique")
        batch.drop_constraint("uq_model_versions_version", type_="unique")
        batch.create_unique_constraint("uq_model_versions_content", ["region", "matter_id", "variant", "content_hash"])
        batch.create_unique_constraint("uq_model_versions_version", ["region", "matter_id", "variant", "version"])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(_region_column())
    with op.batch_alter_table("case_summaries") as batch:
        batch.add_column(_region_column())
        batch.create_index("ix_case_summaries_region", ["region", "matter_id", "variant", "source"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(_region_column())
    with op.batch_alter_table("drafts") as batch:
        batch.add_column(_region_column())
        batch.drop_constraint("uq_drafts_matter_variant", type_="unique")
        batch.create_unique_constraint("uq_drafts_matter_variant", ["region", "matter_id", "variant"])
    with op.batch_alter_table("design_log") as batch:
        batch.add_column(_region_column())


def downgrade() -> None:
    with op.batch_alter_table("design_log") as batch:
        batch.drop_column("region")
    with op.batch_alter_table("drafts") as batch:
        batch.drop_constraint("uq_drafts_matter_variant", type_="unique")
        batch.create_unique_constraint("uq_drafts_matter_variant", ["matter_id", "variant"])
        batch.drop_column("region")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("region")
    with op.batch_alter_table("case_summaries") as batch:
        batch.drop_index("ix_case_summaries_region")
        batch.drop_column("region")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("region")
    with op.batch_alter_table("model_versions") as batch:
        batch.drop_constraint("uq_model_versions_content", type_="unique")
        batch.drop_constraint("uq_model_versions_version", type_="unique")
        batch.create_unique_constraint("uq_model_versions_content", ["matter_id", "variant", "content_hash"])
        batch.create_unique_constraint("uq_model_versions_version", ["matter_id", "variant", "version"])
        batch.drop_column("adopted_from")
        batch.drop_column("region")
    op.drop_index("ix_published_reforms_matter", table_name="published_reforms")
    op.drop_table("published_reforms")
    op.drop_index("ix_regions_parent_id", table_name="regions")
    op.drop_table("regions")
