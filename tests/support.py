"""Helpers the tests share: settings for a test database, and logging in as a person would."""
from fastapi.testclient import TestClient

from app.config import Settings

DEMO_PASSWORD = "demo-pass-2026"


def make_settings(database_url: str, **overrides) -> Settings:
    values = dict(database_url=database_url, secret_key="test-secret-key",
                  demo_password=DEMO_PASSWORD,
                  # Cheap Argon2id parameters: the algorithm is the same, the suite is faster.
                  argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
    values.update(overrides)
    return Settings(**values)


def csrf(client: TestClient) -> str:
    if "canbao_csrf" not in client.cookies:
        client.get("/login")
    return client.cookies["canbao_csrf"]


def login(client: TestClient, username: str, password: str = DEMO_PASSWORD):
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf(client)}, follow_redirects=False)
    return response


def post_form(client: TestClient, url: str, data: dict | None = None, **kwargs):
    payload = dict(data or {})
    payload["csrf_token"] = csrf(client)
    return client.post(url, data=payload, follow_redirects=False, **kwargs)


def device_token(client: TestClient, username: str, password: str = DEMO_PASSWORD,
                 name: str = "test phone") -> str:
    response = client.post("/api/v1/devices", json={"username": username, "password": password,
                                                      "device_name": name})
    assert response.status_code == 201, response.text
    return response.json()["token"]
