"""Settings, read from the environment with the CANBAO_ prefix (or a .env file)."""
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET_KEY = "insecure-development-secret-change-me"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CANBAO_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] = "development"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'canbao.db'}"
    secret_key: str = DEFAULT_SECRET_KEY
    host: str = "127.0.0.1"
    port: int = 8000

    session_hours: int = 12
    # Forces the Secure flag even when a proxy terminates TLS and forwards plain HTTP.
    cookie_secure: bool = False

    # Argon2id cost. The defaults follow argon2-cffi's RFC 9106 "low memory" profile;
    # the test suite lowers them only to keep thousands of logins fast.
    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65536
    argon2_parallelism: int = 4

    login_window_minutes: int = 15
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30

    default_locale: Literal["zh_CN", "en"] = "zh_CN"

    # The registry database (全民参保库) that approved people are pushed to; None: the app's own
    # database. A separate one gets its tables from `canbao registry-init` or the worker's first
    # connection (app/registry/store.py), not from Alembic.
    registry_database_url: str | None = None
    # Run the registry push worker inside the server process. None: on for `canbao serve` and
    # app.asgi, off otherwise (tests start one when they need it).
    registry_worker: bool | None = None
    registry_poll_seconds: float = 5.0
    # Where an uploaded roster waits between its dry run and its import. Behind a proxy with
    # several hosts it must be storage they share.
    upload_dir: Path = Path(tempfile.gettempdir()) / "canbao-uploads"
    demo_password: str = "canbao-demo"

    def check_safe_to_start(self) -> None:
        if self.env != "development" and self.secret_key == DEFAULT_SECRET_KEY:
            raise RuntimeError(
                "CANBAO_SECRET_KEY must be set to a private random value outside development"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
