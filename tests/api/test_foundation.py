"""Foundation data of seed 003 (§4.7), exactly in its models."""

from starlette.testclient import TestClient

from tests.conftest import TenantFixture


def test_countries_are_iso_3166_with_german_names(
    client: TestClient, tenant: TenantFixture
) -> None:
    countries = client.get("/api/1.1/countries", headers=tenant.headers).json()
    assert len(countries) == 249
    by_id = {c["id"]: c for c in countries}
    assert by_id["AT"] == {"id": "AT", "name": "Österreich"}
    assert by_id["DE"]["name"] == "Deutschland"
    english = client.get(
        "/api/1.1/countries/de", headers={**tenant.headers, "Accept-Language": "en-GB,en;q=0.9"}
    ).json()
    assert english == {"id": "DE", "name": "Germany"}


def test_regions_of_austria_and_germany(client: TestClient, tenant: TenantFixture) -> None:
    austria = client.get("/api/1.1/countries/AT/regions", headers=tenant.headers).json()
    assert len(austria) == 9 and {"id": "WIEN", "name": "Wien"} in austria
    germany = client.get("/api/1.1/countries/DE/regions", headers=tenant.headers).json()
    assert len(germany) == 16 and {"id": "BAYERN", "name": "Bayern"} in germany
    one = client.get(
        "/api/1.1/countries/AT/regions/KAERNTEN",
        headers={**tenant.headers, "Accept-Language": "en"},
    ).json()
    assert one == {"id": "KAERNTEN", "name": "Carinthia"}
    assert client.get("/api/1.1/countries/FR/regions", headers=tenant.headers).json() == []


def test_not_found_uses_the_seed_rest_error(client: TestClient, tenant: TenantFixture) -> None:
    response = client.get("/api/1.1/countries/XX", headers=tenant.headers)
    assert response.status_code == 404
    body = response.json()
    assert set(body) == {"error", "message", "identifier", "timestamp", "details"}
    assert body["message"] == "Land nicht gefunden." and len(body["identifier"]) == 6
    assert body["identifier"].isalnum()
    region = client.get(
        "/api/1.1/countries/AT/regions/BAYERN", headers={**tenant.headers, "Accept-Language": "en"}
    )
    assert region.status_code == 404 and region.json()["message"] == "Country or region not found."


def test_currencies_and_units(client: TestClient, tenant: TenantFixture) -> None:
    currencies = {
        c["id"]: c["name"] for c in client.get("/api/1.1/currencies", headers=tenant.headers).json()
    }
    assert currencies["EUR"] == "Euro" and currencies["CHF"] == "Schweizer Franken"
    assert {"JPY", "BHD", "USD"} <= set(currencies)
    units = client.get("/api/1.1/units_of_measure", headers=tenant.headers).json()
    assert {"id": "PC", "name": "Stk", "description": "Stück"} in units
    assert all(set(u) == {"id", "name", "description"} for u in units)
