"""supplies: warehouses, catalogue, stock ledger, maintenance

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yingji.core.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _code(name: str, nullable: bool) -> sa.Column:
    """A division-code column (byte order on PostgreSQL, see core/types.py CodeStr)."""
    return sa.Column(
        name,
        sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
        nullable=nullable,
    )


def _big(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=nullable)


def _time(name: str, nullable: bool) -> sa.Column:
    return sa.Column(name, yingji.core.types.UTCDateTime(), nullable=nullable)


def _json(name: str, nullable: bool) -> sa.Column:
    return sa.Column(
        name, sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"), nullable=nullable
    )


def _index(table: str, column: str) -> None:
    op.create_index(op.f(f"ix_{table}_{column}"), table, [column], unique=False)


def _fk(column: str, target: str, name: str, cascade: bool = False) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(name), ondelete="CASCADE" if cascade else None
    )


def upgrade() -> None:
    op.create_table(
        "supply_items",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=8), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=False),
        sa.Column("shelf_life_months", sa.SmallInteger(), nullable=True),
        sa.Column("maintenance_class", sa.String(length=20), nullable=True),
        sa.Column("spec", sa.String(length=200), nullable=True),
        sa.Column("standard", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        _code("jurisdiction_code", True),
        _big("id", False),
        _time("created_at", False),
        _time("updated_at", False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_items")),
        sa.UniqueConstraint("code", name=op.f("uq_supply_items_code")),
    )
    _index("supply_items", "category")
    op.create_table(
        "supply_warehouses",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        _code("jurisdiction_code", False),
        sa.Column("area_m2", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("road_access", sa.String(length=10), nullable=True),
        sa.Column("road_note", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        _big("id", False),
        _time("created_at", False),
        _time("updated_at", False),
        sa.CheckConstraint(
            "level IN ('city', 'county', 'town', 'village')", name=op.f("ck_supply_warehouses_level")
        ),
        sa.CheckConstraint("area_m2 IS NULL OR area_m2 >= 0", name=op.f("ck_supply_warehouses_area")),
        _fk(
            "jurisdiction_code", "jurisdictions.code", "fk_supply_warehouses_jurisdiction_code_jurisdictions"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_warehouses")),
        sa.UniqueConstraint("code", name=op.f("uq_supply_warehouses_code")),
    )
    _index("supply_warehouses", "jurisdiction_code")
    _index("supply_warehouses", "name")
    op.create_table(
        "supply_keepers",
        _big("warehouse_id", False),
        _big("person_id", False),
        sa.Column("role", sa.String(length=10), nullable=False),
        _code("jurisdiction_code", False),
        _big("id", False),
        _fk("person_id", "people.id", "fk_supply_keepers_person_id_people", cascade=True),
        _fk(
            "warehouse_id",
            "supply_warehouses.id",
            "fk_supply_keepers_warehouse_id_supply_warehouses",
            cascade=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_keepers")),
        sa.UniqueConstraint("warehouse_id", "person_id", name="uq_supply_keepers_warehouse_person"),
    )
    _index("supply_keepers", "jurisdiction_code")
    _index("supply_keepers", "person_id")
    op.create_table(
        "supply_batches",
        _big("item_id", False),
        sa.Column("batch_no", sa.String(length=40), nullable=False),
        _code("owner_code", False),
        sa.Column("owner_name", sa.String(length=120), nullable=True),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("produced_on", sa.Date(), nullable=True),
        _code("jurisdiction_code", False),
        _time("created_at", False),
        _big("id", False),
        _fk("item_id", "supply_items.id", "fk_supply_batches_item_id_supply_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_batches")),
        sa.UniqueConstraint("item_id", "batch_no", "owner_code", name="uq_supply_batches_item_batch_owner"),
    )
    _index("supply_batches", "expires_on")
    op.create_table(
        "supply_balances",
        _big("warehouse_id", False),
        _big("batch_id", False),
        _big("item_id", False),
        sa.Column("qty", sa.Integer(), nullable=False),
        _code("jurisdiction_code", False),
        _time("updated_at", False),
        _big("id", False),
        sa.CheckConstraint("qty >= 0", name=op.f("ck_supply_balances_not_negative")),
        _fk("batch_id", "supply_batches.id", "fk_supply_balances_batch_id_supply_batches"),
        _fk("item_id", "supply_items.id", "fk_supply_balances_item_id_supply_items"),
        _fk("warehouse_id", "supply_warehouses.id", "fk_supply_balances_warehouse_id_supply_warehouses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_balances")),
        sa.UniqueConstraint("warehouse_id", "batch_id", name="uq_supply_balances_warehouse_batch"),
    )
    _index("supply_balances", "batch_id")
    op.create_index(
        "ix_supply_balances_item_jurisdiction",
        "supply_balances",
        ["item_id", "jurisdiction_code"],
        unique=False,
    )
    _index("supply_balances", "jurisdiction_code")
    op.create_table(
        "supply_reserve_standards",
        _code("jurisdiction_code", False),
        sa.Column("level", sa.String(length=10), nullable=False),
        _big("item_id", False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=True),
        _big("id", False),
        _time("created_at", False),
        _time("updated_at", False),
        sa.CheckConstraint(
            "level IN ('city', 'county', 'town', 'village')", name=op.f("ck_supply_reserve_standards_level")
        ),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_supply_reserve_standards_quantity")),
        _fk("item_id", "supply_items.id", "fk_supply_reserve_standards_item_id_supply_items"),
        _fk(
            "jurisdiction_code",
            "jurisdictions.code",
            "fk_supply_reserve_standards_jurisdiction_code_jurisdictions",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_reserve_standards")),
        sa.UniqueConstraint(
            "jurisdiction_code", "level", "item_id", name="uq_supply_reserve_standards_place_level_item"
        ),
    )
    op.create_table(
        "supply_requests",
        _big("incident_id", False),
        sa.Column("client_key", sa.String(length=80), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        _big("to_warehouse_id", True),
        _json("lines", False),
        _json("plan", False),
        _json("unmet", True),
        _code("jurisdiction_code", False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        _time("created_at", False),
        _big("id", False),
        sa.CheckConstraint("mode IN ('issue', 'transfer')", name=op.f("ck_supply_requests_mode")),
        _fk("incident_id", "incidents.id", "fk_supply_requests_incident_id_incidents"),
        _fk(
            "to_warehouse_id", "supply_warehouses.id", "fk_supply_requests_to_warehouse_id_supply_warehouses"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_requests")),
        sa.UniqueConstraint("client_key", name=op.f("uq_supply_requests_client_key")),
    )
    _index("supply_requests", "incident_id")
    _index("supply_requests", "jurisdiction_code")
    op.create_table(
        "supply_documents",
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        _big("warehouse_id", False),
        _big("to_warehouse_id", True),
        _code("jurisdiction_code", False),
        _code("to_jurisdiction_code", True),
        sa.Column("reason", sa.String(length=20), nullable=True),
        sa.Column("counterparty", sa.String(length=120), nullable=True),
        _big("incident_id", True),
        _big("request_id", True),
        sa.Column("client_key", sa.String(length=80), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        _big("created_by_id", True),
        _time("created_at", False),
        _time("completed_at", True),
        _big("id", False),
        sa.CheckConstraint(
            "kind IN ('receipt', 'issue', 'transfer', 'count')", name=op.f("ck_supply_documents_kind")
        ),
        sa.CheckConstraint(
            "status IN ('done', 'in_transit', 'partial', 'received')", name=op.f("ck_supply_documents_status")
        ),
        _fk("incident_id", "incidents.id", "fk_supply_documents_incident_id_incidents"),
        _fk("request_id", "supply_requests.id", "fk_supply_documents_request_id_supply_requests"),
        _fk(
            "to_warehouse_id", "supply_warehouses.id", "fk_supply_documents_to_warehouse_id_supply_warehouses"
        ),
        _fk("warehouse_id", "supply_warehouses.id", "fk_supply_documents_warehouse_id_supply_warehouses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_documents")),
        sa.UniqueConstraint("client_key", name=op.f("uq_supply_documents_client_key")),
    )
    op.create_index(
        "ix_supply_documents_destination", "supply_documents", ["to_warehouse_id", "status"], unique=False
    )
    _index("supply_documents", "incident_id")
    _index("supply_documents", "jurisdiction_code")
    _index("supply_documents", "request_id")
    _index("supply_documents", "to_jurisdiction_code")
    op.create_index("ix_supply_documents_warehouse", "supply_documents", ["warehouse_id", "id"], unique=False)
    op.create_table(
        "supply_document_lines",
        _big("document_id", False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        _big("item_id", False),
        _big("batch_id", True),
        sa.Column("qty", sa.Integer(), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=12), nullable=True),
        sa.Column("received_qty", sa.Integer(), nullable=False),
        sa.Column("returned_qty", sa.Integer(), nullable=False),
        _code("jurisdiction_code", False),
        _big("id", False),
        sa.CheckConstraint("qty >= 0", name=op.f("ck_supply_document_lines_qty")),
        sa.CheckConstraint(
            "received_qty + returned_qty <= qty", name=op.f("ck_supply_document_lines_not_more_than_sent")
        ),
        sa.CheckConstraint(
            "received_qty >= 0 AND returned_qty >= 0", name=op.f("ck_supply_document_lines_received_returned")
        ),
        _fk("batch_id", "supply_batches.id", "fk_supply_document_lines_batch_id_supply_batches"),
        _fk(
            "document_id",
            "supply_documents.id",
            "fk_supply_document_lines_document_id_supply_documents",
            cascade=True,
        ),
        _fk("item_id", "supply_items.id", "fk_supply_document_lines_item_id_supply_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_document_lines")),
        sa.UniqueConstraint("document_id", "line_no", name="uq_supply_document_lines_document_line"),
    )
    op.create_table(
        "supply_transfer_receipts",
        _big("document_id", False),
        sa.Column("client_key", sa.String(length=80), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        _json("lines", False),
        sa.Column("note", sa.Text(), nullable=True),
        _code("jurisdiction_code", False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        _big("actor_id", True),
        _time("at", False),
        _big("id", False),
        _fk("document_id", "supply_documents.id", "fk_supply_transfer_receipts_document_id_supply_documents"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_transfer_receipts")),
        sa.UniqueConstraint("client_key", name=op.f("uq_supply_transfer_receipts_client_key")),
    )
    _index("supply_transfer_receipts", "document_id")
    _index("supply_transfer_receipts", "jurisdiction_code")
    op.create_table(
        "supply_movements",
        _time("at", False),
        _big("document_id", False),
        _big("line_id", False),
        _big("warehouse_id", False),
        _big("batch_id", False),
        _big("item_id", False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("delta", sa.Integer(), nullable=False),
        sa.Column("balance_after", sa.Integer(), nullable=False),
        _code("jurisdiction_code", False),
        sa.Column("actor", sa.String(length=100), nullable=True),
        _big("actor_id", True),
        _big("id", False),
        sa.CheckConstraint(
            "kind IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'transfer_return', 'count')",
            name=op.f("ck_supply_movements_kind"),
        ),
        sa.CheckConstraint("balance_after >= 0", name=op.f("ck_supply_movements_balance_after")),
        sa.CheckConstraint("delta <> 0", name=op.f("ck_supply_movements_delta")),
        _fk("batch_id", "supply_batches.id", "fk_supply_movements_batch_id_supply_batches"),
        _fk("document_id", "supply_documents.id", "fk_supply_movements_document_id_supply_documents"),
        _fk("item_id", "supply_items.id", "fk_supply_movements_item_id_supply_items"),
        _fk("line_id", "supply_document_lines.id", "fk_supply_movements_line_id_supply_document_lines"),
        _fk("warehouse_id", "supply_warehouses.id", "fk_supply_movements_warehouse_id_supply_warehouses"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_movements")),
    )
    op.create_index(
        "ix_supply_movements_card", "supply_movements", ["warehouse_id", "item_id", "id"], unique=False
    )
    _index("supply_movements", "document_id")
    _index("supply_movements", "jurisdiction_code")
    op.create_table(
        "supply_maintenance_schedules",
        _big("warehouse_id", False),
        sa.Column("maintenance_class", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("interval_days", sa.SmallInteger(), nullable=False),
        sa.Column("next_due_on", sa.Date(), nullable=False),
        sa.Column("last_done_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        _code("jurisdiction_code", False),
        _big("id", False),
        _time("created_at", False),
        _time("updated_at", False),
        sa.CheckConstraint(
            "kind IN ('servicing', 'inspection', 'charging', 'performance_test')",
            name=op.f("ck_supply_maintenance_schedules_kind"),
        ),
        sa.CheckConstraint(
            "interval_days BETWEEN 1 AND 3660", name=op.f("ck_supply_maintenance_schedules_interval")
        ),
        _fk(
            "warehouse_id",
            "supply_warehouses.id",
            "fk_supply_maintenance_schedules_warehouse_id_supply_warehouses",
            cascade=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_maintenance_schedules")),
        sa.UniqueConstraint(
            "warehouse_id",
            "maintenance_class",
            "kind",
            name="uq_supply_maintenance_schedules_warehouse_class_kind",
        ),
    )
    op.create_index(
        "ix_supply_maintenance_schedules_due",
        "supply_maintenance_schedules",
        ["active", "next_due_on"],
        unique=False,
    )
    _index("supply_maintenance_schedules", "jurisdiction_code")
    op.create_table(
        "supply_maintenance_tasks",
        _big("schedule_id", False),
        _big("warehouse_id", False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _time("done_at", True),
        sa.Column("done_by", sa.String(length=100), nullable=True),
        _big("done_by_id", True),
        _code("jurisdiction_code", False),
        _time("created_at", False),
        _big("id", False),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('ok', 'fixed', 'fault')",
            name=op.f("ck_supply_maintenance_tasks_result"),
        ),
        sa.CheckConstraint("status IN ('open', 'done')", name=op.f("ck_supply_maintenance_tasks_status")),
        _fk(
            "schedule_id",
            "supply_maintenance_schedules.id",
            "fk_supply_maintenance_tasks_schedule_id_supply_maintenance_schedules",
            cascade=True,
        ),
        _fk(
            "warehouse_id",
            "supply_warehouses.id",
            "fk_supply_maintenance_tasks_warehouse_id_supply_warehouses",
            cascade=True,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supply_maintenance_tasks")),
        sa.UniqueConstraint("schedule_id", "due_on", name="uq_supply_maintenance_tasks_schedule_due"),
    )
    _index("supply_maintenance_tasks", "jurisdiction_code")
    op.create_index(
        "ix_supply_maintenance_tasks_open", "supply_maintenance_tasks", ["status", "due_on"], unique=False
    )
    op.create_index(
        "ix_supply_maintenance_tasks_warehouse",
        "supply_maintenance_tasks",
        ["warehouse_id", "status"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_table("supply_maintenance_tasks")
    op.drop_table("supply_maintenance_schedules")
    op.drop_table("supply_movements")
    op.drop_table("supply_transfer_receipts")
    op.drop_table("supply_document_lines")
    op.drop_table("supply_documents")
    op.drop_table("supply_requests")
    op.drop_table("supply_reserve_standards")
    op.drop_table("supply_balances")
    op.drop_table("supply_batches")
    op.drop_table("supply_keepers")
    op.drop_table("supply_warehouses")
    op.drop_table("supply_items")
