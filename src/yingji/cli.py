"""The `yingji` command: run the demo, serve in production, migrate, administer, verify the audit chain."""

from __future__ import annotations

import argparse
import gc
import os
import sys

__all__ = ["main"]


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.config.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 1) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)
    call_command("createcachetable", verbosity=0)


def cmd_migrate(args) -> int:
    _django()
    _migrate(verbosity=args.verbosity)
    return 0


def cmd_demo(args) -> int:
    _django()
    print("» 迁移数据库 (migrating the database) …", flush=True)
    _migrate(verbosity=0)
    from yingji.core.demo import seed_demo

    print("» 生成示范市数据 (seeding the demo city) …", flush=True)
    report = seed_demo(progress=lambda msg: print("  ·", msg, flush=True))
    roads = _demo_roads()
    if roads:
        print(f"  · 示范路网 (demo roads): {roads['nodes']:,} 个节点, {roads['edges']:,} 条有向路段 → {roads['out']}")
    print()
    print("演示账号 (demo accounts) — 密码 / password: " + report.password)
    for username, role, unit in report.accounts:
        print(f"  {username:<12} {role:<10} {unit}")
    if args.no_serve:
        return 0
    children = [_start_jobs(), *_start_mqtt_ingest()]
    try:
        return _serve(args.host, args.port, workers=args.workers, banner=True)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=10)


def _start_mqtt_ingest() -> list:
    """The demo's MQTT subscriber (`yingji ingest-mqtt`) as a child process when a broker answers, so
    `yingji simulate rain` makes the demo's rules fire; without a broker the demo runs on and says so."""
    import socket
    import subprocess

    from yingji.monitoring.cli import broker

    host, port = broker()
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        print(f"» 未连接到 MQTT 代理 {host}:{port}，传感器数据只能经 HTTP 接入 (no MQTT broker: readings over HTTP only)",
              flush=True)
        return []
    code = "import sys; from yingji.cli import main; sys.exit(main(['ingest-mqtt']))"
    child = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    print(f"» MQTT 接入已启动 {host}:{port} (readings over MQTT; try `yingji simulate rain`)", flush=True)
    return [child]


def _start_jobs():
    """The demo's job worker, so reminders and escalations happen: `yingji worker` as a child process. Not
    threads of this process: gunicorn forks its workers from here, and a fork taken while a consumer thread
    holds Python's import lock leaves the web worker hung on its first import (seen: every first request
    timed out)."""
    import subprocess

    from django.db import connections

    from yingji.core import jobs

    # The daily registry scan runs once now, so the demo's inboxes show expiring stock from the start.
    jobs.enqueue("notifications.registry_expiry")
    connections.close_all()  # gunicorn forks next; children must not inherit an open database connection
    code = "import sys; from yingji.cli import main; sys.exit(main(['worker', '--workers', '1']))"
    worker = subprocess.Popen([sys.executable, "-c", code], env=os.environ.copy())
    print("» 后台任务已启动 (background jobs: a `yingji worker` beside the server)", flush=True)
    return worker


def cmd_worker(args) -> int:
    _django()
    from yingji.core import jobs

    huey = jobs.current()
    print(f"» yingji worker: {type(huey).__name__}, {args.workers} worker thread(s); jobs:", flush=True)
    for job in jobs.jobs():
        print(f"  {job.name:<34} {'periodic' if job.periodic else 'on demand'}  {job.description}", flush=True)
    consumer = huey.create_consumer(workers=args.workers, worker_type="thread", periodic=not args.no_periodic,
                                    check_worker_health=True)
    consumer.run()
    return 0


def _demo_roads() -> dict | None:
    """Write the synthetic city's road graph once, so dispatch in the demo uses real travel times."""
    from django.conf import settings

    from yingji import roads_cli

    out = settings.VAR_DIR / "roads.npz"
    if out.exists():
        return None
    return roads_cli.generate_demo_roads(str(out))


def gunicorn_options(host: str, port: int, workers: int, var_dir) -> dict:
    """gunicorn settings for one `yingji serve`. gunicorn ≥ 25.1 opens a control socket, by default one shared
    path in the home directory, so a second server would take over the first one's: each server gets its own
    under the var dir (or none, where the path would be too long for a Unix socket)."""
    import re
    from pathlib import Path

    options = {"bind": f"{host}:{port}", "workers": workers, "timeout": 120,
               "accesslog": "-" if os.environ.get("YINGJI_ACCESS_LOG") else None}
    name = re.sub(r"[^A-Za-z0-9.]", "_", host)
    socket = Path(var_dir) / "run" / f"gunicorn-{name}-{port}.ctl"
    if len(os.fsencode(socket)) < 100:  # sun_path holds 108 bytes on Linux, 104 on BSD
        options["control_socket"] = str(socket)
    else:
        options["control_socket_disable"] = True
    return options


def _preload() -> None:
    """Load here, once, before gunicorn forks, what Django otherwise loads at each worker's first request: the
    URL configuration (it imports every view, API router and schema: seconds) and both languages' catalogues.
    Without it the first request to each new worker waited 4 s (measured with bench/ingest.py, 2 workers)."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018  (imports the URL modules)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("预警")


def _serve(host: str, port: int, workers: int, banner: bool = False) -> int:
    from django.conf import settings
    from gunicorn.app.base import BaseApplication

    from yingji.config.wsgi import application

    options = gunicorn_options(host, port, workers, settings.VAR_DIR)

    class _App(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                if key in self.cfg.settings:  # older gunicorn has no control socket
                    self.cfg.set(key, value)

        def load(self):
            return application

    if banner:
        print(f"\n» 服务已启动 (serving): http://{host}:{port}/   Ctrl-C 停止 (to stop)\n", flush=True)
    _preload()
    # What is loaded by now lives as long as the workers: frozen, a full garbage collection in a worker walks
    # only what requests made since (not the 600,000 objects of Django and the app, 100 ms and more each time),
    # and the forked workers keep sharing those pages.
    gc.collect()
    gc.freeze()
    _App().run()
    return 0


def cmd_serve(args) -> int:
    _django()
    if args.migrate:
        _migrate(verbosity=0)
    return _serve(args.host, args.port, workers=args.workers)


def cmd_createadmin(args) -> int:
    _django()
    import getpass

    from yingji.core.demo import ensure_root
    from yingji.core.models import User

    password = args.password or os.environ.get("YINGJI_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    root = ensure_root()
    user, created = User.objects.get_or_create(username=args.username, defaults={"unit": root})
    user.is_superuser = user.is_staff = True
    user.unit = user.unit or root
    user.set_password(password)
    user.save()
    print(("created" if created else "updated") + f" superuser {args.username}")
    return 0


def cmd_audit(args) -> int:
    _django()
    from yingji.core.audit import seal, verify

    if args.audit_command == "seal":
        path = seal()
        print(f"sealed: {path}")
        return 0
    result = verify()
    if result.ok:
        where = f", checked against checkpoint {result.checkpoint}" if result.checkpoint else \
            " (no checkpoint yet: run `yingji audit seal` regularly so deleted chains are caught too)"
        print(f"OK: {result.checked} entries in {result.chains} chains, chain intact{where}")
        return 0
    print(f"FAILED: {len(result.problems)} problem(s) in {result.checked} entries", file=sys.stderr)
    for p in result.problems:
        print("  " + p, file=sys.stderr)
    return 1


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yingji manage", *args.rest])
    return 0


def cmd_roads(args) -> int:
    from yingji import roads_cli

    report = roads_cli.import_roads(args.file, args.out, progress=True)
    print(report)
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="yingji", description="Yingji 应急管理综合平台")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser(
        "demo", help="migrate, seed the demo city and serve at http://127.0.0.1:8000",
        description="Migrate the database (YINGJI_DATABASE_URL, default ./var/yingji.sqlite3), seed the demo "
                    "city 示范市 with one account per role (password yingji-demo-2026), and serve it. "
                    "Running it again changes nothing.",
        epilog="To open the demo from other devices on the LAN, listen on all interfaces and allow the "
               "address: YINGJI_ALLOWED_HOSTS=127.0.0.1,localhost,192.168.1.10 yingji demo --host 0.0.0.0 "
               "(the UI language defaults to YINGJI_LANGUAGE, zh-hans; users can switch to English).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    d.add_argument("--host", default="127.0.0.1",
                   help="address to listen on; 0.0.0.0 for every interface (then add the LAN address to "
                        "YINGJI_ALLOWED_HOSTS)")
    d.add_argument("--port", type=int, default=8000, help="TCP port to serve on")
    d.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    d.add_argument("--no-serve", action="store_true", help="migrate and seed only, do not start the server")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="production WSGI server (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    s.add_argument("--migrate", action="store_true", help="apply migrations first")
    s.set_defaults(func=cmd_serve)

    w = sub.add_parser("worker", help="run background jobs (huey): deliveries, escalations, periodic scans")
    w.add_argument("--workers", type=int, default=2)
    w.add_argument("--no-periodic", action="store_true", help="do not run the periodic jobs here")
    w.set_defaults(func=cmd_worker)

    m = sub.add_parser("migrate", help="apply database migrations")
    m.add_argument("-v", "--verbosity", type=int, default=1)
    m.set_defaults(func=cmd_migrate)

    a = sub.add_parser("createadmin", help="create or reset a system administrator")
    a.add_argument("username")
    a.add_argument("--password", help="or YINGJI_ADMIN_PASSWORD, or asked for")
    a.set_defaults(func=cmd_createadmin)

    au = sub.add_parser("audit", help="audit log tools")
    au_sub = au.add_subparsers(dest="audit_command", required=True)
    v = au_sub.add_parser("verify", help="recompute every hash chain and compare with the last checkpoint; "
                                         "exit 1 if anything was altered")
    v.set_defaults(func=cmd_audit)
    sl = au_sub.add_parser("seal", help="write a signed checkpoint of every chain head under var/audit/")
    sl.set_defaults(func=cmd_audit)

    mg = sub.add_parser("manage", help="run a Django management command", add_help=False)
    mg.add_argument("rest", nargs=argparse.REMAINDER)
    mg.set_defaults(func=cmd_manage)

    r = sub.add_parser("roads", help="road network")
    r_sub = r.add_subparsers(dest="roads_command", required=True)
    ri = r_sub.add_parser("import", help="build the road graph from an OSM .osm.pbf file")
    ri.add_argument("file")
    ri.add_argument("--out", default=os.path.join("var", "roads.npz"))
    ri.set_defaults(func=cmd_roads)

    from yingji.monitoring.cli import add_commands as monitoring_commands  # ingest-mqtt, simulate

    monitoring_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
