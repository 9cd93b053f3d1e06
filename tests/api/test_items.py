"""Items and item categories (seed 003 §4.15), with seed §2.4 replayed: search for items and
create an item whose account and tax class entry come from its category. Generated ids and
random colours are compared by format; everything else exactly."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.db.tables import audit_entries
from tests.api.test_conformance_cash_invoices import exact, post
from tests.conftest import TenantFixture, make_tenant

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
COLOR = re.compile(r"^[0-9a-f]{6}$")
CATEGORY = {"name": "Handelswaren", "account": "4000", "taxClassEntry": "020"}
ITEM = {
    "name": "Artikel",
    "sellingPrice": 10,
    "amountType": "N",
    "account": "4000",
    "taxClassEntry": "020",
}
SEED_DESCRIPTION = "<p><b>Beschreibung</b> des <i>Produktes</i></p>"


def get(client: TestClient, tenant: TenantFixture, path: str, status: int = 200) -> Any:
    response = client.get(f"/api/1.1{path}", headers=tenant.headers)
    assert response.status_code == status, response.text
    return exact(response)


def put(client: TestClient, tenant: TenantFixture, path: str, body: Any, status: int = 200) -> Any:
    response = client.put(f"/api/1.1{path}", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return exact(response)


def refused(
    client: TestClient,
    tenant: TenantFixture,
    body: dict[str, Any],
    field: str,
    *,
    method: str = "POST",
    path: str = "/items",
) -> dict[str, Any]:
    """A 400 RestError whose details name ``field``."""
    response = client.request(method, f"/api/1.1{path}", json=body, headers=tenant.headers)
    assert response.status_code == 400, response.text
    error = response.json()
    assert set(error) >= {"error", "message", "identifier", "timestamp", "details"}
    assert error["details"][0].startswith(f"{field}:"), error
    return error


def item_ids(found: list[dict[str, Any]]) -> list[str]:
    return [i["id"] for i in found]


# --- seed §2.4 --------------------------------------------------------------------------------


def test_seed_2_4_2_create_item_defaulted_from_its_category(
    client: TestClient, tenant: TenantFixture
) -> None:
    category = post(client, tenant, "/item_categories", CATEGORY)
    assert UUID.match(category["id"]) and COLOR.match(category["color"])
    assert category == {
        "id": category["id"],
        **CATEGORY,
        "itemCount": 0,
        "color": category["color"],
    }
    response = client.post(
        "/api/1.1/items",
        headers=tenant.headers,
        json={
            "itemCategory": category["id"],
            "itemCategoryDefaulting": True,
            "sellingPrice": 12,
            "name": "API",
            "amountType": "N",
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json;charset=UTF-8"
    assert '"sellingPrice":12,' in response.text  # echoed with the scale it was sent with
    item = exact(response)
    assert UUID.match(item["id"]) and COLOR.match(item["color"])
    assert item == {
        "id": item["id"],
        "name": "API",
        "sellingPrice": 12,
        "amountType": "N",
        "currency": "EUR",
        "marginMode": "CONSTANT",
        "additionalChargeMode": "CONSTANT",
        "itemCategory": category["id"],
        "account": "4000",
        "taxClassEntry": "020",
        "color": item["color"],
    }
    assert get(client, tenant, f"/items/{item['id']}") == item
    assert get(client, tenant, f"/item_categories/{category['id']}")["itemCount"] == 1


def test_seed_2_4_1_search_matches_name_description_number_and_barcode(
    client: TestClient, tenant: TenantFixture
) -> None:
    seed = post(
        client,
        tenant,
        "/items",
        {
            "name": "Testprodukt 1",
            "unitOfMeasure": "PC",
            "description": SEED_DESCRIPTION,
            "sellingPrice": 998.82,
            "amountType": "N",
            "account": "4000",
            "taxClassEntry": "020",
            "color": "b51010",
        },
    )
    assert seed == {
        "id": seed["id"],
        "name": "Testprodukt 1",
        "unitOfMeasure": "PC",
        "description": SEED_DESCRIPTION,
        "descriptionFormatted": "Beschreibung des Produktes\r\n\r\n",
        "sellingPrice": Decimal("998.82"),
        "amountType": "N",
        "currency": "EUR",
        "marginMode": "CONSTANT",
        "additionalChargeMode": "CONSTANT",
        "account": "4000",
        "taxClassEntry": "020",
        "color": "b51010",
    }
    by_description = post(
        client, tenant, "/items", {**ITEM, "name": "Zubehör", "description": "<p>für den TEST</p>"}
    )
    by_number = post(client, tenant, "/items", {**ITEM, "name": "Kabel", "number": "ATEST-9"})
    by_barcode = post(client, tenant, "/items", {**ITEM, "name": "Stecker", "barCode": "900test1"})
    post(client, tenant, "/items", {**ITEM, "name": "Anderes", "number": "X-1"})
    found = get(client, tenant, "/items?search=Test")
    assert isinstance(found, list)  # seed 003 §7 item 49: an array, not one object
    # by name: Kabel (number), Stecker (bar code), Testprodukt 1 (name), Zubehör (description)
    assert item_ids(found) == [by_number["id"], by_barcode["id"], seed["id"], by_description["id"]]
    assert found[2] == seed
    assert item_ids(get(client, tenant, "/items?search=PRODUKTES")) == [seed["id"]]
    assert item_ids(get(client, tenant, "/items?search=test&limit=2")) == [
        by_number["id"],
        by_barcode["id"],
    ]
    assert get(client, tenant, "/items?search=%25") == []  # LIKE wildcards are literal
    assert len(get(client, tenant, "/items")) == 5


# --- paginated --------------------------------------------------------------------------------


def test_paginated_filters_sorts_and_counts(client: TestClient, tenant: TenantFixture) -> None:
    food = post(client, tenant, "/item_categories", {**CATEGORY, "name": "Lebensmittel"})
    apple = post(
        client,
        tenant,
        "/items",
        {**ITEM, "name": "Apfel", "sellingPrice": 1.5, "itemCategory": food["id"]},
    )
    pear = post(
        client,
        tenant,
        "/items",
        {**ITEM, "name": "Birne", "sellingPrice": 2, "itemCategory": food["id"]},
    )
    usd = post(
        client, tenant, "/items", {**ITEM, "name": "Chip", "sellingPrice": 3, "currency": "USD"}
    )
    bolt = post(client, tenant, "/items", {**ITEM, "name": "Dübel", "sellingPrice": 0.1})
    page = get(client, tenant, "/items/paginated?sort=sellingPrice:desc&limit=2&offset=1")
    assert page["totalCount"] == 4
    assert item_ids(page["content"]) == [pear["id"], apple["id"]]
    assert item_ids(get(client, tenant, "/items/paginated")["content"]) == [
        apple["id"],
        pear["id"],
        usd["id"],
        bolt["id"],
    ]
    assert item_ids(get(client, tenant, "/items/paginated?sort=name:DESC")["content"]) == [
        bolt["id"],
        usd["id"],
        pear["id"],
        apple["id"],
    ]
    assert item_ids(
        get(client, tenant, "/items/paginated?sort=itemCategory,name:desc")["content"]
    ) == [pear["id"], apple["id"], bolt["id"], usd["id"]]
    none = get(client, tenant, "/items/paginated?category=NONE")
    assert (none["totalCount"], item_ids(none["content"])) == (2, [usd["id"], bolt["id"]])
    in_food = get(client, tenant, f"/items/paginated?category={food['id']}&limit=1")
    assert (in_food["totalCount"], item_ids(in_food["content"])) == (2, [apple["id"]])
    by_category_name = get(client, tenant, "/items/paginated?search=lebensmittel")
    assert by_category_name["totalCount"] == 2
    assert get(client, tenant, "/items?search=lebensmittel") == []  # the list does not
    main = get(client, tenant, "/items/paginated?mainCurrency=true")
    assert usd["id"] not in item_ids(main["content"]) and main["totalCount"] == 3
    assert usd["id"] not in item_ids(get(client, tenant, "/items?mainCurrency=true"))
    assert item_ids(get(client, tenant, f"/items?category={food['id']}")) == [
        apple["id"],
        pear["id"],
    ]
    assert get(client, tenant, "/items/paginated?offset=10") == {"content": [], "totalCount": 4}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=price", "sort"),
        ("sort=name:up", "sort"),
        ("limit=1001", "limit"),
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("category=abc", "category"),
    ],
)
def test_paginated_refuses_bad_parameters(
    client: TestClient, tenant: TenantFixture, query: str, field: str
) -> None:
    response = client.get(f"/api/1.1/items/paginated?{query}", headers=tenant.headers)
    assert response.status_code == 400, response.text
    assert response.json()["details"][0].startswith(f"{field}:")


# --- rules ------------------------------------------------------------------------------------


def test_price_build_up_and_every_field_round_trips(
    client: TestClient, tenant: TenantFixture
) -> None:
    supplier = post(client, tenant, "/suppliers", {"companyName": "Großhandel GmbH"})
    body = {
        "name": "Kaffeemaschine",
        "unitOfMeasure": "PC",
        "number": "KM-1",
        "description": "Mit Mahlwerk",
        "sellingPrice": "249.90",
        "amountType": "T",
        "weight": 4.25,
        "size": "30x40x50",
        "currency": "EUR",
        "purchasePrice": 150,
        "margin": 20,
        "marginMode": "RATE",
        "additionalCharge": 12,
        "additionalChargeMode": "CONSTANT_TOTAL",
        "supplier": supplier["id"],
        "barCode": "9001234567890",
        "supplierOrderNumber": "GH-77",
        "addInfo1": "a",
        "addInfo2": "b",
        "addInfo3": "c",
        "account": "4000",
        "taxClassEntry": "010",
        "color": "00FF00",
    }
    item = post(client, tenant, "/items", body)
    # 150 + 20 % of 150 + 12 gross at 10 % (10.909...) = 190.909... -> 190.91
    assert item["calculatedNetPrice"] == Decimal("190.91")
    assert item["descriptionFormatted"] == "Mit Mahlwerk"
    expected = {
        **body,
        "sellingPrice": Decimal("249.9"),
        "weight": Decimal("4.25"),
        "color": "00ff00",
    }
    assert {
        k: v
        for k, v in item.items()
        if k not in ("id", "calculatedNetPrice", "descriptionFormatted")
    } == expected
    as_read = client.get(f"/api/1.1/items/{item['id']}", headers=tenant.headers).json()
    again = put(client, tenant, f"/items/{item['id']}", as_read)  # a whole DTO is accepted
    assert again == item


def test_put_replaces_the_whole_item(client: TestClient, tenant: TenantFixture) -> None:
    item = post(
        client,
        tenant,
        "/items",
        {**ITEM, "number": "N-1", "barCode": "123", "purchasePrice": 5, "color": "abcdef"},
    )
    replaced = put(client, tenant, f"/items/{item['id']}", {**ITEM, "name": "Neu"})
    assert replaced["id"] == item["id"] and COLOR.match(replaced["color"])
    assert replaced == {
        "id": item["id"],
        "name": "Neu",
        "sellingPrice": 10,
        "amountType": "N",
        "currency": "EUR",
        "marginMode": "CONSTANT",
        "additionalChargeMode": "CONSTANT",
        "account": "4000",
        "taxClassEntry": "020",
        "color": replaced["color"],
    }


def test_category_defaults_fill_only_what_is_absent(
    client: TestClient, tenant: TenantFixture
) -> None:
    category = post(
        client,
        tenant,
        "/item_categories",
        {**CATEGORY, "unitOfMeasure": "H", "code": "HW", "color": "123456"},
    )
    own = post(
        client,
        tenant,
        "/items",
        {
            "name": "Stunde",
            "sellingPrice": 90,
            "amountType": "N",
            "taxClassEntry": "010",
            "itemCategory": category["id"],
            "itemCategoryDefaulting": True,
        },
    )
    assert (own["account"], own["taxClassEntry"], own["unitOfMeasure"]) == ("4000", "010", "H")
    without = post(client, tenant, "/items", {**ITEM, "itemCategory": category["id"]})
    assert "unitOfMeasure" not in without  # no defaulting asked for
    bare = post(client, tenant, "/item_categories", {"name": "Leer"})
    refused(
        client,
        tenant,
        {
            "name": "X",
            "sellingPrice": 1,
            "amountType": "N",
            "itemCategory": bare["id"],
            "itemCategoryDefaulting": True,
        },
        "account",
    )
    refused(
        client,
        tenant,
        {
            "name": "X",
            "sellingPrice": 1,
            "amountType": "N",
            "account": "4000",
            "itemCategory": bare["id"],
            "itemCategoryDefaulting": True,
        },
        "taxClassEntry",
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": None}, "name"),
        ({"sellingPrice": None}, "sellingPrice"),
        ({"amountType": None}, "amountType"),
        ({"amountType": "X"}, "amountType"),
        ({"account": None}, "account"),
        ({"taxClassEntry": None}, "taxClassEntry"),
        ({"account": "9999"}, "account"),
        ({"account": "7200"}, "account"),  # an expense account
        ({"account": "2800"}, "account"),  # a bank account
        ({"account": "4200", "taxClassEntry": "020"}, "taxClassEntry"),  # tax-free revenue
        ({"taxClassEntry": "099"}, "taxClassEntry"),
        ({"currency": "EURO"}, "currency"),
        ({"color": "red"}, "color"),
        ({"marginMode": "PERCENT"}, "marginMode"),
        ({"additionalChargeMode": "NET"}, "additionalChargeMode"),
        ({"sellingPrice": 1.123456}, "sellingPrice"),
        ({"sellingPrice": "zwölf"}, "sellingPrice"),
        ({"purchasePrice": -1}, "purchasePrice"),
        ({"unitOfMeasure": "FASS"}, "unitOfMeasure"),
        ({"itemCategory": str(uuid.uuid4())}, "itemCategory"),
        ({"itemCategory": "nope"}, "itemCategory"),
        ({"itemCategoryDefaulting": True, "account": None}, "itemCategory"),
        ({"supplier": str(uuid.uuid4())}, "supplier"),
        ({"unknownField": 1}, "unknownField"),
    ],
)
def test_bad_item_input_is_a_400_naming_the_field(
    client: TestClient, tenant: TenantFixture, change: dict[str, Any], field: str
) -> None:
    body = {k: v for k, v in {**ITEM, **change}.items() if v is not None}
    refused(client, tenant, body, field)
    assert get(client, tenant, "/items") == []  # nothing half-written


def test_a_customer_is_not_a_supplier(client: TestClient, tenant: TenantFixture) -> None:
    customer = post(client, tenant, "/customers", {"companyName": "Kunde AG"})
    error = refused(client, tenant, {**ITEM, "supplier": customer["id"]}, "supplier")
    assert "Lieferant" in error["message"]  # German by default
    english = client.post(
        "/api/1.1/items",
        json={**ITEM, "supplier": customer["id"]},
        headers={**tenant.headers, "Accept-Language": "en"},
    )
    assert "supplier" in english.json()["message"]


# --- categories -------------------------------------------------------------------------------


def test_category_lifecycle_and_delete_rule(client: TestClient, tenant: TenantFixture) -> None:
    category = post(
        client, tenant, "/item_categories", {**CATEGORY, "code": "HW", "description": "Waren"}
    )
    replaced = put(
        client,
        tenant,
        f"/item_categories/{category['id']}",
        {"name": "Dienstleistungen", "account": "4001", "color": "0000ff"},
    )
    assert replaced == {
        "id": category["id"],
        "name": "Dienstleistungen",
        "account": "4001",
        "itemCount": 0,
        "color": "0000ff",
    }
    item = post(client, tenant, "/items", {**ITEM, "itemCategory": category["id"]})
    assert [c["itemCount"] for c in get(client, tenant, "/item_categories")] == [1]
    in_use = client.delete(f"/api/1.1/item_categories/{category['id']}", headers=tenant.headers)
    assert in_use.status_code == 400
    assert in_use.json()["error"] == "ItemCategoryInUseException"
    assert "enthält noch 1 Artikel" in in_use.json()["message"]
    assert client.delete(f"/api/1.1/items/{item['id']}", headers=tenant.headers).status_code == 200
    assert (
        client.delete(
            f"/api/1.1/item_categories/{category['id']}", headers=tenant.headers
        ).status_code
        == 200
    )
    get(client, tenant, f"/item_categories/{category['id']}", status=404)
    assert get(client, tenant, "/item_categories") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "X"}, "name"),
        ({"name": "K", "account": "7200"}, "account"),
        ({"name": "K", "account": "4000", "taxClassEntry": "099"}, "taxClassEntry"),
        ({"name": "K", "taxClassEntry": "099"}, "taxClassEntry"),
        ({"name": "K", "color": "#ffffff"}, "color"),
        ({"name": "K", "unitOfMeasure": "FASS"}, "unitOfMeasure"),
    ],
)
def test_bad_category_input_is_a_400_naming_the_field(
    client: TestClient, tenant: TenantFixture, body: dict[str, Any], field: str
) -> None:
    refused(client, tenant, body, field, path="/item_categories")


# --- not found, tenants, scopes, audit -------------------------------------------------------


def test_unknown_ids_are_404(client: TestClient, tenant: TenantFixture) -> None:
    for path in (
        f"/items/{uuid.uuid4()}",
        "/items/not-a-uuid",
        f"/item_categories/{uuid.uuid4()}",
        "/item_categories/x",
    ):
        url = f"/api/1.1{path}"
        body = ITEM if path.startswith("/items") else CATEGORY
        assert client.get(url, headers=tenant.headers).status_code == 404
        assert client.put(url, json=body, headers=tenant.headers).status_code == 404
        assert client.delete(url, headers=tenant.headers).status_code == 404
    assert (
        "Artikel nicht gefunden"
        in client.get(f"/api/1.1/items/{uuid.uuid4()}", headers=tenant.headers).json()["message"]
    )


def test_another_tenant_sees_and_changes_nothing(
    client: TestClient, tenant: TenantFixture, other_tenant: TenantFixture
) -> None:
    category = post(client, tenant, "/item_categories", CATEGORY)
    item = post(client, tenant, "/items", {**ITEM, "itemCategory": category["id"]})
    for path in (f"/items/{item['id']}", f"/item_categories/{category['id']}"):
        get(client, other_tenant, path, status=404)
        body = ITEM if path.startswith("/items") else CATEGORY
        put(client, other_tenant, path, body, status=404)
        assert client.delete(f"/api/1.1{path}", headers=other_tenant.headers).status_code == 404
    assert get(client, other_tenant, "/items") == []
    assert get(client, other_tenant, "/items/paginated")["totalCount"] == 0
    assert get(client, other_tenant, "/item_categories") == []
    refused(client, other_tenant, {**ITEM, "itemCategory": category["id"]}, "itemCategory")
    assert get(client, tenant, f"/items/{item['id']}") == item


def test_reads_need_items_read_and_writes_items_write(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    reader = make_tenant(db, scopes=frozenset({"items:read"}))
    assert client.get("/api/1.1/items", headers=reader.headers).status_code == 200
    denied = client.post("/api/1.1/items", json=ITEM, headers=reader.headers)
    assert denied.status_code == 403 and "items:write" in denied.text
    assert (
        client.post("/api/1.1/item_categories", json=CATEGORY, headers=reader.headers).status_code
        == 403
    )


def test_every_change_is_audited(client: TestClient, db: Database, tenant: TenantFixture) -> None:
    category = post(client, tenant, "/item_categories", CATEGORY)
    item = post(client, tenant, "/items", ITEM)
    put(client, tenant, f"/items/{item['id']}", {**ITEM, "name": "Neu"})
    client.delete(f"/api/1.1/items/{item['id']}", headers=tenant.headers)
    client.delete(f"/api/1.1/item_categories/{category['id']}", headers=tenant.headers)
    with db.reader() as session:
        rows = session.execute(
            select(audit_entries)
            .where(
                audit_entries.c.tenant_id == tenant.id,
                audit_entries.c.entity_type.in_(("Item", "ItemCategory")),
            )
            .order_by(audit_entries.c.seq)
        ).all()
    assert [(r.entity_type, r.action) for r in rows] == [
        ("ItemCategory", "CREATE"),
        ("Item", "CREATE"),
        ("Item", "UPDATE"),
        ("Item", "DELETE"),
        ("ItemCategory", "DELETE"),
    ]
    assert rows[2].before["name"] == "Artikel" and rows[2].after["name"] == "Neu"
    assert rows[1].after["sellingPrice"] == "10"
