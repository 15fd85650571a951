"""The `yingji` command: run the demo, serve in production, migrate, administer, verify the audit chain."""

from __future__ import annotations

import argparse
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
    return _serve(args.host, args.port, workers=args.workers, banner=True)


def _demo_roads() -> dict | None:
    """Write the synthetic city's road graph once, so dispatch in the demo uses real travel times."""
    from django.conf import settings

    from yingji import roads_cli

    out = settings.VAR_DIR / "roads.npz"
    if out.exists():
        return None
    return roads_cli.generate_demo_roads(str(out))


def _serve(host: str, port: int, workers: int, banner: bool = False) -> int:
    from gunicorn.app.base import BaseApplication

    from yingji.config.wsgi import application

    class _App(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-" if os.environ.get("YINGJI_ACCESS_LOG") else None)
            self.cfg.set("timeout", 120)

        def load(self):
            return application

    if banner:
        print(f"\n» 服务已启动 (serving): http://{host}:{port}/   Ctrl-C 停止 (to stop)\n", flush=True)
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
    from yingji.core.audit import verify

    result = verify()
    if result.ok:
        print(f"OK: {result.checked} audit entries, chain intact")
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

    d = sub.add_parser("demo", help="migrate, seed the demo city and serve at http://127.0.0.1:8000")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=8000)
    d.add_argument("--workers", type=int, default=2)
    d.add_argument("--no-serve", action="store_true", help="seed only")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="production WSGI server (gunicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    s.add_argument("--migrate", action="store_true", help="apply migrations first")
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser("migrate", help="apply database migrations")
    m.add_argument("-v", "--verbosity", type=int, default=1)
    m.set_defaults(func=cmd_migrate)

    a = sub.add_parser("createadmin", help="create or reset a system administrator")
    a.add_argument("username")
    a.add_argument("--password", help="or YINGJI_ADMIN_PASSWORD, or asked for")
    a.set_defaults(func=cmd_createadmin)

    au = sub.add_parser("audit", help="audit log tools")
    au_sub = au.add_subparsers(dest="audit_command", required=True)
    v = au_sub.add_parser("verify", help="recompute the hash chain; exit 1 if anything was altered")
    v.set_defaults(func=cmd_audit)

    mg = sub.add_parser("manage", help="run a Django management command", add_help=False)
    mg.add_argument("rest", nargs=argparse.REMAINDER)
    mg.set_defaults(func=cmd_manage)

    r = sub.add_parser("roads", help="road network")
    r_sub = r.add_subparsers(dest="roads_command", required=True)
    ri = r_sub.add_parser("import", help="build the road graph from an OSM .osm.pbf file")
    ri.add_argument("file")
    ri.add_argument("--out", default=os.path.join("var", "roads.npz"))
    ri.set_defaults(func=cmd_roads)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
