"""supply balance store index (issue 17): a store's balances of an item

A post reads one store's balances of the items it names; through ix_supply_balances_item_jurisdiction
(item) it read every store's balances of each item and filtered them by store, which at province
scale is thousands of rows per post. ix_supply_balances_warehouse_item finds the store's own.

Revision ID: 0043_supply_balance_store_index
Revises: 0042_standards
Create Date: 2026-12-07 03:35:00
"""

from alembic import op

revision = "0043_supply_balance_store_index"
down_revision = "0042_standards"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_supply_balances_warehouse_item", "supply_balances", ["warehouse_id", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_supply_balances_warehouse_item", table_name="supply_balances")
