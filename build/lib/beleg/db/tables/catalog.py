"""Items and item categories (seed 003 §3.5, ItemDto and ItemCategoryDto).

Prices are exact decimals with 5 fractional digits (seed 003 §2: line prices allow 10 + 5
digits). ``search_text`` holds the case-folded name, readable description, number and bar
code, so ``?search=`` matches case-insensitively in the same way on PostgreSQL and SQLite;
``name_folded`` gives both the same order by name. The category of an item is a foreign key
within the tenant; deleting a category that still has items is refused by the service.
"""

from sqlalchemy import (
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Table,
    Text,
    Uuid,
)

from beleg.db.tables.base import metadata
from beleg.db.types import ExactDecimal, UtcDateTime

PRICE_SCALE = 5

item_categories = Table(
    "item_categories",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_folded", String(200), nullable=False),
    Column("code", String(50), nullable=True),
    Column("description", String(2000), nullable=True),
    Column("unit_of_measure", String(20), nullable=True),  # default for its items
    Column("account", String(10), nullable=True),  # default for its items
    Column("tax_class_entry", String(3), nullable=True),  # default for its items
    Column("color", String(6), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("tenant_id", Uuid, ForeignKey("tenants.id"), primary_key=True),
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_folded", String(200), nullable=False),
    Column("unit_of_measure", String(20), nullable=True),
    Column("number", String(50), nullable=True),
    Column("description", Text, nullable=True),
    Column("description_formatted", Text, nullable=True),
    Column("selling_price", ExactDecimal(PRICE_SCALE), nullable=False),
    Column("amount_type", String(1), nullable=False),  # N net / T total incl. tax
    Column("weight", ExactDecimal(PRICE_SCALE), nullable=True),
    Column("size", String(100), nullable=True),
    Column("currency", String(3), nullable=False),
    Column("purchase_price", ExactDecimal(PRICE_SCALE), nullable=True),
    Column("margin", ExactDecimal(PRICE_SCALE), nullable=True),
    Column("margin_mode", String(16), nullable=False),  # RATE / CONSTANT / CONSTANT_TOTAL
    Column("additional_charge", ExactDecimal(PRICE_SCALE), nullable=True),
    Column("additional_charge_mode", String(16), nullable=False),
    Column("supplier_id", Uuid, nullable=True),  # a SUPPLIER contact
    Column("calculated_net_price", ExactDecimal(PRICE_SCALE), nullable=True),
    Column("item_category_id", Uuid, nullable=True),
    Column("bar_code", String(100), nullable=True),
    Column("supplier_order_number", String(100), nullable=True),
    Column("add_info1", String(500), nullable=True),
    Column("add_info2", String(500), nullable=True),
    Column("add_info3", String(500), nullable=True),
    Column("account", String(10), nullable=False),  # a revenue account (type E or M)
    Column("tax_class_entry", String(3), nullable=False),
    Column("color", String(6), nullable=False),
    Column("search_text", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    ForeignKeyConstraint(
        ["tenant_id", "item_category_id"], ["item_categories.tenant_id", "item_categories.id"]
    ),
    Index("ix_items_category", "tenant_id", "item_category_id"),
    Index("ix_items_name", "tenant_id", "name_folded"),
    Index("ix_items_number", "tenant_id", "number"),
)

# ItemDto field -> items column, in the seed's field order (5.51).
ITEM_COLUMNS: dict[str, str] = {
    "name": "name",
    "unitOfMeasure": "unit_of_measure",
    "number": "number",
    "description": "description",
    "descriptionFormatted": "description_formatted",
    "sellingPrice": "selling_price",
    "amountType": "amount_type",
    "weight": "weight",
    "size": "size",
    "currency": "currency",
    "purchasePrice": "purchase_price",
    "margin": "margin",
    "marginMode": "margin_mode",
    "additionalCharge": "additional_charge",
    "additionalChargeMode": "additional_charge_mode",
    "supplier": "supplier_id",
    "calculatedNetPrice": "calculated_net_price",
    "itemCategory": "item_category_id",
    "barCode": "bar_code",
    "supplierOrderNumber": "supplier_order_number",
    "addInfo1": "add_info1",
    "addInfo2": "add_info2",
    "addInfo3": "add_info3",
    "account": "account",
    "taxClassEntry": "tax_class_entry",
    "color": "color",
}
# ItemCategoryDto field -> item_categories column, in the seed's field order (5.50).
CATEGORY_COLUMNS: dict[str, str] = {
    "name": "name",
    "code": "code",
    "description": "description",
    "unitOfMeasure": "unit_of_measure",
    "account": "account",
    "taxClassEntry": "tax_class_entry",
    "color": "color",
}
