"""`yingji serve`: every server gets its own gunicorn control socket under its var dir, none in the home."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from yingji.cli import gunicorn_options


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(path: Path, proc: subprocess.Popen, deadline_s: float = 60) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if path.exists():
            return
        if proc.poll() is not None:
            raise AssertionError(f"server exited early: {proc.stdout.read() if proc.stdout else ''}")
        time.sleep(0.2)
    raise AssertionError(f"{path} never appeared")


@pytest.fixture
def short_tmp():
    """A directory with a path short enough for a unix socket (pytest-xdist's tmp_path can be too long)."""
    import shutil
    import tempfile

    path = Path(tempfile.mkdtemp(prefix="yj-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_two_servers_get_two_control_sockets_in_their_var_dir(short_tmp):
    tmp_path = short_tmp
    home = tmp_path / "home"
    home.mkdir()
    var = tmp_path / "var"
    # Not the test worker's settings either: under pytest-xdist they would move the var dir into var/gw0.
    env = {k: v for k, v in os.environ.items()
           if k not in ("XDG_RUNTIME_DIR", "YINGJI_DATABASE_URL", "PYTEST_XDIST_WORKER", "DJANGO_SETTINGS_MODULE")}
    env.update(HOME=str(home), YINGJI_VAR_DIR=str(var), YINGJI_SECRET_KEY="test-only")
    ports = [_free_port(), _free_port()]
    procs = [subprocess.Popen([sys.executable, "-m", "yingji.cli", "serve", "--port", str(p), "--workers", "1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for p in ports]
    try:
        sockets = [var / "run" / f"gunicorn-127.0.0.1-{p}.ctl" for p in ports]
        for sock, proc in zip(sockets, procs, strict=True):
            _wait_for(sock, proc)
        assert all(s.is_socket() for s in sockets) and len(set(sockets)) == 2
        assert not (home / ".gunicorn").exists()
        assert all(p.poll() is None for p in procs)  # neither server pushed the other out
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()


def test_a_var_dir_too_deep_for_a_socket_disables_it(tmp_path):
    deep = tmp_path / ("d" * 120)
    options = gunicorn_options("127.0.0.1", 8000, 2, deep)
    assert options.get("control_socket_disable") is True and "control_socket" not in options


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "0.0.0.0"])
def test_socket_name_is_a_plain_file_name(short_tmp, host):
    tmp_path = short_tmp
    path = Path(gunicorn_options(host, 8443, 1, tmp_path)["control_socket"])
    assert path.parent == tmp_path / "run" and "/" not in path.name and ":" not in path.name
