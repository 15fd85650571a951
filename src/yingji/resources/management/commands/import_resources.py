"""`python -m django import_resources <type> <file> [--as USER]`: the same all-or-nothing import as the UI,
printing progress for large files and the row report at the end."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yingji.core.errors import YingjiError
from yingji.core.kinds import importer as importers
from yingji.core.models import User
from yingji.resources.registry import KINDS


class Command(BaseCommand):
    help = "Import resources from .xlsx/.csv (all or nothing, with a row report)"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(k for k, v in KINDS.items() if v.importable))
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", help="act as this user (default: the system)")

    def handle(self, kind, file, username=None, **options):
        actor = None
        if username:
            actor = User.objects.filter(username=username).first()
            if actor is None:
                raise CommandError(f"no such user: {username}")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"no such file: {file}")

        def progress(done: int, total: int) -> None:
            self.stdout.write(f"  {done:,}/{total:,} ({done * 100 // max(total, 1)}%)")

        try:
            report = importers.import_file(actor, KINDS[kind], path.name, path.read_bytes(), progress)
        except YingjiError as exc:
            raise CommandError(exc.message) from exc
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"导入成功：{report.created} 行"))
            return
        for e in report.errors:
            self.stdout.write(f"第 {e.row} 行 [{e.column}] {e.message}")
        raise CommandError(f"{len(report.errors)} 处错误，未写入任何数据")
