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
    trusted_proxies: list[str]
    email_url: str = ""
    email_from: str = "yingji@localhost"
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""
    webhook_secret: str = ""
    jobs_immediate: bool = False
    site_url: str = "http://127.0.0.1:8000"


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
        trusted_proxies=_networks(e.get("YINGJI_TRUSTED_PROXIES", "")),
        email_url=e.get("YINGJI_EMAIL_URL", ""),
        email_from=e.get("YINGJI_EMAIL_FROM", "yingji@localhost"),
        sms_gateway_url=e.get("YINGJI_SMS_GATEWAY_URL", ""),
        sms_gateway_token=e.get("YINGJI_SMS_GATEWAY_TOKEN", ""),
        # Signs outgoing webhooks; without one, the Django secret key is used (stable per deployment).
        webhook_secret=e.get("YINGJI_WEBHOOK_SECRET", ""),
        jobs_immediate=e.get("YINGJI_JOBS_IMMEDIATE", "").lower() in TRUE,
        site_url=e.get("YINGJI_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    )


def _networks(text: str) -> list[str]:
    """Comma-separated addresses or CIDR networks; a malformed entry stops the start with its name."""
    import ipaddress

    out = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            out.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError:
            raise ValueError(f"YINGJI_TRUSTED_PROXIES: not an address or network: {part!r}") from None
    return out


def email_settings(url: str) -> dict:
    """Django EMAIL_* settings from `smtp://user:password@host:port` (`smtps://` for TLS on connect,
    `?starttls=1` for STARTTLS)."""
    from urllib.parse import parse_qs, unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"YINGJI_EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    query = parse_qs(parts.query)
    return {
        "EMAIL_HOST": parts.hostname or "127.0.0.1",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": query.get("starttls", ["0"])[0].lower() in TRUE,
    }
