"""Cash registers (seed 003 §2.5, §3.6, §4.19): the seed's receipt examples, rebooks, daily
closings with month closing, cancellation, the RKSV chain verified from the DEP export,
ledger bookings, invoice payments through a register and register administration."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from starlette.testclient import TestClient

from beleg.db.database import Database
from beleg.formats import rksv
from tests.api.test_conformance_cash_invoices import exact
from tests.api.test_documents import balances, invoice_body, post
from tests.conftest import TenantFixture, make_tenant

KEY_ID = "U:ATU12345678-K1"
QR = re.compile(
    r"^_R1-AT0_1_(\d{4}\.\d{4})_(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)_(-?\d+,\d\d)"
    r"_(-?\d+,\d\d)_(-?\d+,\d\d)_(-?\d+,\d\d)_(-?\d+,\d\d)_([A-Za-z0-9+/=]+)"
    r"_U:ATU12345678-K1_([A-Za-z0-9+/=]{12})_([A-Za-z0-9+/=]{88})$"
)
INCOME = {
    "type": "INCOME",
    "totalAmount": 120.00,
    "lines": [
        {
            "itemPrice": 100.00,
            "itemPriceType": "N",
            "totalPrice": 120.00,
            "account": "4000",
            "taxClassEntry": "020",
        }
    ],
}


def get(client: TestClient, tenant: TenantFixture, path: str, status: int = 200) -> Any:
    response = client.get(
        path if path.startswith("/v2") else f"/api/1.1{path}", headers=tenant.headers
    )
    assert response.status_code == status, response.text
    return exact(response)


def v2(
    client: TestClient,
    tenant: TenantFixture,
    path: str,
    body: Any = None,
    *,
    status: int = 200,
    method: str = "POST",
) -> Any:
    response = client.request(method, f"/v2{path}", json=body, headers=tenant.headers)
    assert response.status_code == status, response.text
    return response.json()


def cash_bank_account(client: TestClient, tenant: TenantFixture, code: str = "2700") -> str:
    return next(a["id"] for a in get(client, tenant, "/bank_accounts") if a["accountCode"] == code)


def open_register(client: TestClient, tenant: TenantFixture, number: int = 1, **extra: Any) -> None:
    v2(
        client,
        tenant,
        "/cash-registers",
        {
            "id": number,
            "name": f"Kassa {number}",
            "bankAccountId": cash_bank_account(client, tenant),
            **extra,
        },
        status=201,
    )
    v2(client, tenant, f"/cash-registers/{number}/activate", {"keyId": KEY_ID})


@pytest.fixture
def register(client: TestClient, tenant: TenantFixture) -> TenantFixture:
    open_register(client, tenant)
    return tenant


def test_income_receipt_as_in_the_seed(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    receipt = post(client, register, "/cash_registers/1/receipts", INCOME)
    year = receipt["dateTime"][:4]
    assert receipt["id"] == f"{year}.0002"  # .0001 is the Startbeleg
    assert receipt["type"] == "INCOME" and receipt["totalAmount"] == Decimal("120.00")
    assert receipt["addressInfo"] == {}
    assert receipt["lines"] == [
        {
            "id": 1,
            "itemPrice": Decimal("100.00"),
            "itemPriceType": "N",
            "netPrice": Decimal("100.00"),
            "taxPrice": Decimal("20.00"),
            "totalPrice": Decimal("120.00"),
            "discount": Decimal("0"),
            "discountMode": "CONSTANT",
            "amount": Decimal("1"),
            "account": "4000",
            "taxClassEntry": "020",
        }
    ]
    match = QR.match(receipt["qrCode"])
    assert match, receipt["qrCode"]
    assert match.group(1) == receipt["id"] and match.group(2) == receipt["dateTime"][:19]
    assert match.groups()[2:7] == ("120,00", "0,00", "0,00", "0,00", "0,00")
    assert get(client, register, f"/cash_registers/1/receipts/{receipt['id']}") == receipt
    assert balances(db, register) == {
        "2700": Decimal("120.00"),
        "4000": Decimal("-100.00"),
        "3500": Decimal("-20.00"),
    }
    assert get(client, register, "/cash_registers/1")["currentBalance"] == Decimal("120.00")


def test_item_lines_and_address_override(client: TestClient, register: TenantFixture) -> None:
    item = post(
        client,
        register,
        "/items",
        {
            "name": "Kasse-System Sharp XE-A217B",
            "number": "KASHA001",
            "sellingPrice": 114.96,
            "amountType": "T",
            "account": "4000",
            "taxClassEntry": "020",
            "unitOfMeasure": "PC",
        },
    )
    receipt = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {
            "type": "INCOME",
            "totalAmount": 344.88,
            "lines": [
                {"item": item["id"], "totalPrice": 114.96},
                {"item": item["id"], "amount": 2, "totalPrice": 229.92},
            ],
        },
    )
    assert [
        (
            ln["itemNumber"],
            ln["itemName"],
            ln["itemPriceType"],
            ln["netPrice"],
            ln["taxPrice"],
            ln["amount"],
        )
        for ln in receipt["lines"]
    ] == [
        (
            "KASHA001",
            "Kasse-System Sharp XE-A217B",
            "T",
            Decimal("95.80"),
            Decimal("19.16"),
            Decimal("1"),
        ),
        (
            "KASHA001",
            "Kasse-System Sharp XE-A217B",
            "T",
            Decimal("191.60"),
            Decimal("38.32"),
            Decimal("2"),
        ),
    ]
    override = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {
            **INCOME,
            "customerName": "ignored",
            "addressInfo": {
                "companyName": "Test GmbH",
                "firstName": "Max",
                "lastName": "Mustermann",
                "city": "Wien",
                "country": "AT",
            },
        },
    )
    assert override["customerName"] == "Test GmbH, Max Mustermann"
    mailed = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {**INCOME, "customerMail": "kunde@example.at"},
    )
    assert (mailed["customerMail"], mailed["customerMailSent"]) == ("kunde@example.at", False)
    assert override["addressInfo"]["city"] == "Wien"


def test_receipt_validation_names_the_field(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    before = balances(db, register)
    cases = [
        ({**INCOME, "totalAmount": 121}, "totalAmount"),
        ({**INCOME, "lines": [{**INCOME["lines"][0], "totalPrice": 119}]}, "lines[0].totalPrice"),
        (
            {
                **INCOME,
                "lines": [{k: v for k, v in INCOME["lines"][0].items() if k != "totalPrice"}],
            },
            "lines[0].totalPrice",
        ),
        ({**INCOME, "type": "MONTHLY"}, "type"),
        (
            {
                **INCOME,
                "lines": [{**INCOME["lines"][0], "taxClassEntry": "000", "totalPrice": 100}],
                "totalAmount": 100,
            },
            None,
        ),
        ({"type": "REBOOK", "totalAmount": 10}, "fromAccount"),
        ({"type": "REBOOK", "totalAmount": 1000, "toAccount": "2800"}, "totalAmount"),
    ]
    for body, field in cases:
        response = client.post(
            "/api/1.1/cash_registers/1/receipts", json=body, headers=register.headers
        )
        if field is None:
            assert response.status_code == 200, response.text
            continue
        assert response.status_code == 400, (body, response.text)
        assert field in response.text, (field, response.text)
    assert balances(db, register) != before  # only the 0 % receipt was booked
    assert get(client, register, "/cash_registers/1")["currentBalance"] == Decimal("100.00")


def test_rebooks_move_cash_and_never_below_zero(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    cash_in = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 120.00, "fromAccount": "2800"},
    )
    assert cash_in["id"].startswith("U") and cash_in["id"].endswith(".0001")
    assert "qrCode" not in cash_in
    assert cash_in["lines"] == [
        {
            "id": 1,
            "itemName": "Bargeld-Einlage",
            "itemPrice": Decimal("120.00"),
            "itemPriceType": "T",
            "netPrice": Decimal("120.00"),
            "taxPrice": Decimal("0.00"),
            "totalPrice": Decimal("120.00"),
            "amount": Decimal("1"),
            "account": "2800",
            "taxClassEntry": "000",
        }
    ]
    error = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 120.01, "toAccount": "2800"},
        status=400,
    )
    assert "below 0" in error["message"] or "unter 0" in error["message"]
    post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 20.00, "toAccount": "2800"},
    )
    assert balances(db, register) == {"2700": Decimal("100.00"), "2800": Decimal("-100.00")}
    reserved = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 1, "fromAccount": "2700"},
        status=400,
    )
    assert "fromAccount" in reserved["message"]


def test_daily_closing_finalize_and_close_month(
    client: TestClient, register: TenantFixture
) -> None:
    post(client, register, "/cash_registers/1/receipts", INCOME)
    post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 10, "fromAccount": "2800"},
    )
    last = get(client, register, "/cash_registers/1/daily_closings/last")
    assert (
        last["state"],
        last["openingBalance"],
        last["closingBalance"],
        last["incomeCount"],
        last["rebookCount"],
        last["otherCount"],
        last["totalCount"],
    ) == ("OPEN", Decimal("0.00"), Decimal("130.00"), 1, 1, 0, 2)
    wrong = post(
        client,
        register,
        "/cash_registers/1/daily_closings/last/finalize",
        {"closingBalance": 130.01, "totalCount": 2},
        status=400,
    )
    assert "closingBalance" in wrong["message"]
    post(client, register, "/cash_registers/1/daily_closings/last/close_month", {}, status=409)
    done = post(
        client,
        register,
        "/cash_registers/1/daily_closings/last/finalize",
        {"closingBalance": 130.00, "totalCount": 2},
    )
    assert done["state"] == "FINALIZED"
    post(client, register, "/cash_registers/1/receipts", INCOME, status=409)
    closed = post(client, register, "/cash_registers/1/daily_closings/last/close_month", {})
    assert (
        closed["otherCount"],
        closed["totalCount"],
        closed["monthlyClosing"],
        closed["yearlyClosing"],
    ) == (1, 3, True, False)
    post(client, register, "/cash_registers/1/daily_closings/last/close_month", {}, status=409)
    assert get(client, register, f"/cash_registers/1/daily_closings/{done['id']}") == closed
    assert get(client, register, "/cash_registers/1/daily_closings?limit=5") == [closed]
    types = [r["type"] for r in get(client, register, "/cash_registers/1/receipts")]
    assert types == ["INITIAL", "INCOME", "REBOOK", "MONTHLY"]


def test_first_receipt_of_a_new_month_closes_the_previous(
    client: TestClient, db: Database, platform: dict[str, object]
) -> None:
    tenant = make_tenant(db, test_mode=True)
    client.put("/v2/test-clock", json={"frozenAt": "2026-01-30T10:00:00Z"}, headers=tenant.headers)
    open_register(client, tenant)
    first = post(client, tenant, "/cash_registers/1/receipts", INCOME)
    assert first["dateTime"] == "2026-01-30T11:00:00"  # Europe/Vienna
    client.post("/v2/test-clock/advance", json={"days": 1}, headers=tenant.headers)
    stale = post(client, tenant, "/cash_registers/1/receipts", INCOME, status=409)
    assert "2026-01-30" in stale["message"]
    post(
        client,
        tenant,
        "/cash_registers/1/daily_closings/last/finalize",
        {"closingBalance": 120, "totalCount": 1},
    )
    post(client, tenant, "/cash_registers/1/receipts", INCOME)  # 31 Jan
    post(
        client,
        tenant,
        "/cash_registers/1/daily_closings/last/finalize",
        {"closingBalance": 240, "totalCount": 1},
    )
    client.post("/v2/test-clock/advance", json={"days": 1}, headers=tenant.headers)
    february = post(client, tenant, "/cash_registers/1/receipts", INCOME)
    assert february["id"] == "2026.0005"  # INITIAL, 2 x INCOME, MONTHLY, this one
    january = get(client, tenant, "/cash_registers/1/daily_closings/2026-01-31")
    assert january["monthlyClosing"] and january["otherCount"] == 1
    receipts = get(client, tenant, "/cash_registers/1/receipts?from=2026-02-01&to=bad")
    assert [r["type"] for r in receipts] == ["MONTHLY", "INCOME"]
    january_30 = get(client, tenant, "/cash_registers/1/receipts?to=2026-01-30")
    assert [r["type"] for r in january_30] == ["INITIAL", "INCOME"]
    assert get(client, tenant, "/cash_registers/1/daily_closings/last")[
        "openingBalance"
    ] == Decimal("240.00")


def test_cancel_reverses_and_is_signed_as_storno(
    client: TestClient, register: TenantFixture, db: Database
) -> None:
    original = post(client, register, "/cash_registers/1/receipts", INCOME)
    cancel = post(client, register, f"/cash_registers/1/receipts/{original['id']}/cancel", {})
    assert cancel["originalReceipt"] == original["id"] and cancel["totalAmount"] == -120
    assert cancel["lines"][0]["totalPrice"] == Decimal("-120.00")
    match = QR.match(cancel["qrCode"])
    assert match and match.group(3) == "-120,00" and match.group(8) == rksv.STORNO
    assert (
        get(client, register, f"/cash_registers/1/receipts/{original['id']}")["cancelReceipt"]
        == cancel["id"]
    )
    for number in (original["id"], cancel["id"]):
        post(client, register, f"/cash_registers/1/receipts/{number}/cancel", {}, status=409)
    assert balances(db, register) == {}
    assert get(client, register, "/cash_registers/1")["currentBalance"] == Decimal("0.00")


def test_rksv_chain_verifies_from_the_dep_export(
    client: TestClient, register: TenantFixture
) -> None:
    post(client, register, "/cash_registers/1/receipts", INCOME)
    post(
        client,
        register,
        "/cash_registers/1/receipts",
        {
            "type": "INCOME",
            "totalAmount": 110.00,
            "lines": [
                {
                    "itemPrice": 100,
                    "itemPriceType": "N",
                    "totalPrice": 110.00,
                    "account": "4000",
                    "taxClassEntry": "010",
                }
            ],
        },
    )
    second = get(client, register, "/cash_registers/1/receipts")[-1]["id"]
    post(client, register, f"/cash_registers/1/receipts/{second}/cancel", {})
    post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 5, "fromAccount": "2800"},
    )  # unsigned
    keys = v2(client, register, "/cash-registers/1/registration", method="GET")
    assert keys["keyId"] == KEY_ID and keys["signatureSuite"] == "R1-AT0"
    jws_list = v2(client, register, "/cash-registers/1/dep-export", method="GET")["Belege-Gruppe"][
        0
    ]["Belege-kompakt"]
    assert len(jws_list) == 4
    previous, counters = None, []
    for jws in jws_list:
        fields = rksv.verify_jws(jws, keys["publicKey"]).split("_")
        assert fields[12] == rksv.chain_value(previous, "1")
        if fields[10] != rksv.STORNO:
            counters.append(rksv.decrypt_turnover(fields[10], keys["aesKey"], "1", fields[3]))
        previous = jws
    assert counters == [0, 12000, 23000]  # Startbeleg, +120.00, +110.00 (storno: STO)
    # the 10 % sale sits in Betrag-Satz-Ermaessigt-1, its cancellation shows it negated
    assert rksv.verify_jws(jws_list[2], keys["publicKey"]).split("_")[6] == "110,00"
    assert rksv.verify_jws(jws_list[3], keys["publicKey"]).split("_")[6] == "-110,00"


def test_invoice_paid_and_cancelled_through_a_register(
    client: TestClient, db: Database, register: TenantFixture
) -> None:
    invoice = post(client, register, "/invoices", invoice_body())
    number = invoice["id"]
    entries = post(
        client,
        register,
        f"/invoices/{number}/payments",
        {"date": invoice["date"], "amount": 120.00, "cashRegister": 1},
        status=400,
    )
    assert "dateTime" in entries["message"] or "date" in entries["message"]
    entry = _pay_today(client, register, number)
    assert entry["cashRegisterId"] == 1 and entry["payingAccount"] == "2700"
    receipt = get(client, register, f"/cash_registers/1/receipts/{entry['receiptId']}")
    assert receipt["qrCode"] == entry["receiptQrCode"]
    assert (receipt["referenceText"], receipt["customerName"]) == (number, "Kunde GmbH")
    assert receipt["lines"][0]["account"] == "2000"
    match = QR.match(receipt["qrCode"])
    assert match and match.groups()[2:7] == ("0,00", "0,00", "0,00", "120,00", "0,00")
    assert balances(db, register) == {
        "2700": Decimal("120.00"),
        "4000": Decimal("-100.00"),
        "3500": Decimal("-20.00"),
    }
    post(client, register, f"/cash_registers/1/receipts/{receipt['id']}/cancel", {}, status=409)
    post(
        client,
        register,
        f"/invoices/{number}/payments/{entry['id']}/cancel",
        {"cancelDate": entry["date"], "cancelReason": "Irrtum"},
    )
    cancelled = get(client, register, f"/cash_registers/1/receipts/{entry['receiptId']}")
    assert cancelled["cancelReceipt"]
    assert get(client, register, "/cash_registers/1")["currentBalance"] == Decimal("0.00")
    assert balances(db, register)["2000"] == Decimal("120.00")


def _pay_today(client: TestClient, tenant: TenantFixture, number: str) -> dict[str, Any]:
    receipts = get(client, tenant, "/cash_registers/1/receipts")
    closing_day = receipts[-1]["dateTime"][:10]
    entries = post(
        client,
        tenant,
        f"/invoices/{number}/payments",
        {"date": closing_day, "amount": 120.00, "cashRegister": 1},
    )
    assert len(entries) == 1
    return entries[0]


def test_payment_register_errors(client: TestClient, register: TenantFixture) -> None:
    number = post(client, register, "/invoices", invoice_body())["id"]
    day = get(client, register, "/cash_registers/1/receipts")[-1]["dateTime"][:10]
    for body, status in (
        ({"cashRegister": 0}, 400),
        ({"cashRegister": 7}, 404),
        ({"payingAccount": "2700"}, 400),
        ({"cashRegister": 1, "payingAccount": "2800"}, 400),
    ):
        error = post(
            client,
            register,
            f"/invoices/{number}/payments",
            {"date": day, "amount": 10, **body},
            status=status,
        )
        assert "cashRegister" in error["message"] or "payingAccount" in error["message"]
    memo = post(client, register, "/credit_memos", {**invoice_body(), "state": "FINALIZED"})
    short = post(
        client,
        register,
        f"/credit_memos/{memo['id']}/payments",
        {"date": day, "cashRegister": 1},
        status=400,
    )
    assert "0" in short["message"]
    post(
        client,
        register,
        "/cash_registers/1/receipts",
        {"type": "REBOOK", "totalAmount": 200, "fromAccount": "2800"},
    )
    paid = post(
        client, register, f"/credit_memos/{memo['id']}/payments", {"date": day, "cashRegister": 1}
    )
    receipt = get(client, register, f"/cash_registers/1/receipts/{paid[0]['receiptId']}")
    assert receipt["totalAmount"] == Decimal("-120.00")
    assert get(client, register, "/cash_registers/1")["currentBalance"] == Decimal("80.00")


def test_register_administration(
    client: TestClient, tenant: TenantFixture, db: Database, platform: dict[str, object]
) -> None:
    registers = get(client, tenant, "/cash_registers")
    assert [(r["id"], r["state"]) for r in registers] == [(0, "TEST")]
    bank = cash_bank_account(client, tenant)
    v2(
        client,
        tenant,
        "/cash-registers",
        {"id": 1, "name": "Theke", "bankAccountId": bank},
        status=201,
    )
    v2(
        client,
        tenant,
        "/cash-registers",
        {"id": 1, "name": "Dup", "bankAccountId": bank},
        status=409,
    )
    v2(
        client,
        tenant,
        "/cash-registers",
        {"id": 2, "name": "Zweite", "bankAccountId": bank},
        status=409,
    )  # 2700 belongs to register 1
    post(client, tenant, "/cash_registers/1/receipts", INCOME, status=409)  # NEW
    assert [r["id"] for r in get(client, tenant, "/cash_registers")] == [0]
    v2(client, tenant, "/cash-registers/1/activate", {"keyId": "ATU12345678"}, status=400)
    v2(
        client,
        tenant,
        "/cash-registers/1",
        {"id": 1, "name": "Theke Wien", "bankAccountId": bank, "allowPastIncome": True},
        method="PUT",
    )
    v2(client, tenant, "/cash-registers/1/activate", {"keyId": KEY_ID})
    v2(client, tenant, "/cash-registers/1/activate", {"keyId": KEY_ID}, status=409)
    other_bank = cash_bank_account(client, tenant, "2850")
    v2(
        client,
        tenant,
        "/cash-registers/1",
        {"id": 1, "name": "Theke Wien", "bankAccountId": other_bank},
        method="PUT",
        status=409,
    )
    post(client, tenant, "/cash_registers/1/receipts", INCOME)
    v2(client, tenant, "/cash-registers/1/decommission", status=409)  # closing OPEN
    post(
        client,
        tenant,
        "/cash_registers/1/daily_closings/last/finalize",
        {"closingBalance": 120, "totalCount": 1},
    )
    locked = v2(client, tenant, "/cash-registers/1/decommission")
    assert locked["state"] == "LOCKED" and locked["name"] == "Theke Wien"
    assert get(client, tenant, "/cash_registers/1/receipts")[-1]["type"] == "FINAL"
    germany = make_tenant(db, country="DE")
    v2(
        client,
        germany,
        "/cash-registers",
        {"id": 1, "name": "Kasse", "bankAccountId": cash_bank_account(client, germany, "1000")},
        status=400,
    )
    assert get(client, germany, "/cash_registers") == []
    get(client, tenant, "/cash_registers/1", status=200)
    get(client, germany, "/cash_registers/1", status=404)


def test_test_register_signs_training_receipts_and_books_nothing(
    client: TestClient, tenant: TenantFixture, db: Database
) -> None:
    receipt = post(client, tenant, "/cash_registers/0/receipts", INCOME)
    assert f"_{rksv.TRAINING}_" in receipt["qrCode"]
    assert receipt["qrCode"].startswith("_R1-AT0_0_")
    assert balances(db, tenant) == {}


def test_past_income_only_when_allowed(client: TestClient, tenant: TenantFixture) -> None:
    open_register(client, tenant, allowPastIncome=False)
    past = {**INCOME, "dateTime": "2020-01-01T10:00:00"}
    error = post(client, tenant, "/cash_registers/1/receipts", past, status=400)
    assert "dateTime" in error["message"] or "rückdatiert" in error["message"]
    first = post(client, tenant, "/cash_registers/1/receipts", INCOME)
    v2(
        client,
        tenant,
        "/cash-registers/1",
        {
            "id": 1,
            "name": "Kassa 1",
            "bankAccountId": cash_bank_account(client, tenant),
            "allowPastIncome": True,
        },
        method="PUT",
    )
    before = {**INCOME, "dateTime": "2020-01-01T10:00:00"}
    error = post(client, tenant, "/cash_registers/1/receipts", before, status=400)
    assert "dateTime" in error["message"]
    same = post(
        client, tenant, "/cash_registers/1/receipts", {**INCOME, "dateTime": first["dateTime"]}
    )
    assert same["dateTime"] == first["dateTime"][:19]


def test_receipt_pdf_and_star_layout(client: TestClient, register: TenantFixture) -> None:
    receipt = post(
        client,
        register,
        "/cash_registers/1/receipts",
        {**INCOME, "lines": [{**INCOME["lines"][0], "itemName": "Espresso"}]},
    )
    path = f"/api/1.1/cash_registers/1/receipts/{receipt['id']}"
    response = client.get(f"{path}/document?type=inline", headers=register.headers)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-disposition"].startswith("inline;")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:  # CI installs poppler-utils; the text check needs it
        text = subprocess.run(
            [pdftotext, "-", "-"],
            input=response.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for expected in (receipt["id"], "Espresso", "120,00", "USt 20 % von 100,00"):
            assert expected in text, (expected, text)
    star = get(client, register, f"/cash_registers/1/receipts/{receipt['id']}/layout/star?width=32")
    assert star["printerConfig"]["printPaperSize"] == "THREE_INCH"
    texts = [s["data"] for s in star["bon"] if s["type"] == "text"]
    assert "1 x Espresso" + " " * 14 + "120,00" in texts
    assert {"type": "qr", "alignment": "Center", "data": receipt["qrCode"]} in star["bon"]
    assert get(client, register, "/cash_registers/1/layout")["displaySubject"] == "Beleg"
    get(client, register, "/cash_registers/1/receipts/2020.0001/document", status=404)
