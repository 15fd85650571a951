"""Typed reading of YINGJI_* environment variables, with the embedded defaults."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Env", "load"]

TRUE = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Env:
    var_dir: Path
    database_url: str
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    time_zone: str
    language: str
    tile_url: str
    tile_attribution: str
    tile_crs: str
    redis_url: str
    mqtt_url: str
    login_attempts: int
    login_window_s: int
    csrf_trusted_origins: list[str]
    secure_cookies: bool


def _secret_key(var_dir: Path) -> str:
    """The embedded default keeps a generated key under var/ so sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(environ: os._Environ | dict | None = None) -> Env:
    e = os.environ if environ is None else environ
    var_dir = Path(e.get("YINGJI_VAR_DIR", "var")).resolve()
    database_url = e.get("YINGJI_DATABASE_URL") or f"sqlite:///{var_dir / 'yingji.sqlite3'}"
    secret = e.get("YINGJI_SECRET_KEY") or _secret_key(var_dir)
    hosts = [h.strip() for h in e.get("YINGJI_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
    return Env(
        var_dir=var_dir,
        database_url=database_url,
        secret_key=secret,
        debug=e.get("YINGJI_DEBUG", "").lower() in TRUE,
        allowed_hosts=hosts,
        time_zone=e.get("YINGJI_TIME_ZONE", "Asia/Shanghai"),
        language=e.get("YINGJI_LANGUAGE", "zh-hans"),
        tile_url=e.get("YINGJI_TILE_URL", ""),
        tile_attribution=e.get("YINGJI_TILE_ATTRIBUTION", ""),
        tile_crs=e.get("YINGJI_TILE_CRS", "wgs84").lower(),
        redis_url=e.get("YINGJI_REDIS_URL", ""),
        mqtt_url=e.get("YINGJI_MQTT_URL", "mqtt://127.0.0.1:1883"),
        login_attempts=int(e.get("YINGJI_LOGIN_ATTEMPTS", "5")),
        login_window_s=int(e.get("YINGJI_LOGIN_WINDOW_S", "300")),
        csrf_trusted_origins=[o.strip() for o in e.get("YINGJI_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()],
        secure_cookies=e.get("YINGJI_SECURE_COOKIES", "").lower() in TRUE,
    )
