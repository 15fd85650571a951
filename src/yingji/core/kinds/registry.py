"""The type registry: one `Kind` per registered model, carrying every per-type rule as data or a hook.

An app describes its types once (`Kind(...)`) and registers them (`register("resources", [...])`). From that
table the kernel builds the API (list, search, GeoJSON, detail, create, change, delete, import, export,
template), the pages (list, detail, form, import), the map layers and the import/export formats. What a
type is — a place, capability-tagged, hazard-tagged, dispatchable, an exercise — is read from its model's
mixins, never repeated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models

__all__ = ["Kind", "Flag", "Symbol", "register", "kinds_of", "kind_for", "kind_of_model", "all_kinds"]


@dataclass(frozen=True)
class Flag:
    """An extra filter of one type (e.g. stock `below_min`): its query parameter, label, value type and the
    function that narrows the queryset (`apply(qs, value)`)."""

    name: str
    label: str
    type: type  # bool or int
    apply: Callable
    maximum: int = 3650


@dataclass(frozen=True)
class Symbol:
    """How a type's points look on the map: a shape (circle, square, diamond, triangle, hexagon) with one letter
    in it, and the colour used where the status does not say otherwise."""

    shape: str = "circle"
    letter: str = ""
    colour: str = "#0f6e5a"


@dataclass(frozen=True, eq=False)
class Kind:
    key: str
    model: type[models.Model]
    label: str
    columns: tuple[tuple[str, str], ...]  # (field, Chinese header) for tables, import and export
    required: tuple[str, ...] = ()
    search: tuple[str, ...] = ("name",)
    filters: tuple[str, ...] = ()  # exact-match query parameters, each a model field
    ordering: dict[str, str] = field(default_factory=dict)
    writable: bool = True  # False: changes go through a dedicated service (stock, ledger)
    importable: bool = True
    # API output: extra names next to ids, each a dotted attribute path ("team.name").
    extras: dict[str, str] = field(default_factory=dict)
    select_related: tuple[str, ...] = ("owner_unit",)
    # Detail page: child tables (child kind key, the child's foreign key to this type).
    children: tuple[tuple[str, str], ...] = ()
    # The foreign key whose owner unit this type always follows (a member follows its team).
    owning_parent: str | None = None
    # The map: what colours the symbol (a field, or "availability" for dispatchable types), the colour of each
    # status value ("ok", "warn", "bad", "off", or (colour, label) where the field has no choices to name it),
    # the symbol, and the fields its popup shows (model fields, "availability"; a foreign key shows its name).
    status_field: str | None = None
    status_colours: dict = field(default_factory=dict)
    symbol: Symbol | None = None
    popup: tuple[str, ...] = ()
    map_on: bool = False  # layer shown when the map opens
    hidden: frozenset[str] = frozenset()  # columns left out of list tables (long text)
    example: dict[str, object] = field(default_factory=dict)  # the import template's example row
    flags: tuple[Flag, ...] = ()
    # Hooks: a custom importer for rows already converted (stock receives into batches), a step before
    # validation of each imported object, and the detail page's action forms (template, form factory).
    import_hook: Callable | None = None
    prepare_import: Callable | None = None
    action_form: Callable | None = None  # (user, obj) -> a form posted to "<app>:action", or None
    # Type rules across rows, before any save: (actor, obj, changed field names or None when new) →
    # {field: [messages]}.
    check: Callable | None = None
    # After a generic create, change or delete (actor, obj, op "create" | "update" | "delete"), inside the same
    # transaction: derived values another row keeps (a hazard source's grade from its holdings) are refreshed.
    after_write: Callable | None = None
    # Pages only: the columns of list tables (field names or (field, label); the first carries the link; default: the first
    # eight of `columns`, name first) and cell renderers {field: fn(obj) -> text or safe HTML} used by lists,
    # detail facts and child tables (a quantity with its unit, a phone as a tel: link).
    list_columns: tuple = ()
    display: dict[str, Callable] = field(default_factory=dict)
    app: str = ""

    @property
    def otype(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def _is(self, mixin: str) -> bool:
        from yingji.core import models as core_models

        return issubclass(self.model, getattr(core_models, mixin))

    @property
    def geo(self) -> bool:
        return self._is("Place")

    @property
    def capable(self) -> bool:
        return self._is("CapabilityTagged")

    @property
    def hazard_tagged(self) -> bool:
        return self._is("HazardTagged")

    @property
    def dispatchable(self) -> bool:
        return self._is("Dispatchable")

    @property
    def exercise(self) -> bool:
        return self._is("Exercise")

    @property
    def api_prefix(self) -> str:
        return f"{self.app}_{self.key}"

    @property
    def input_fields(self) -> tuple[str, ...]:
        """The columns people write (forms, API input, import): those whose model field is editable. A column
        the system keeps (a sensor's last reading, a hazard source's grade) is exported and shown, never taken
        as input, whatever a type lists in `columns`."""
        return tuple(name for name, _h in self.columns if self.model._meta.get_field(name).editable)


_REGISTRY: dict[str, dict[str, Kind]] = {}


def register(app: str, kinds: list[Kind]) -> dict[str, Kind]:
    """Register an app's types (idempotent per app); returns {key: Kind} in the given order."""
    table = {}
    for k in kinds:
        object.__setattr__(k, "app", app)
        table[k.key] = k
    _REGISTRY[app] = table
    return table


def kinds_of(app: str) -> dict[str, Kind]:
    return _REGISTRY.get(app, {})


def all_kinds() -> list[Kind]:
    return [k for table in _REGISTRY.values() for k in table.values()]


def kind_for(app: str, key: str) -> Kind:
    from yingji.core.errors import NotFound

    try:
        return _REGISTRY[app][key]
    except KeyError:
        raise NotFound() from None


def kind_of_model(model) -> Kind:
    return next(k for k in all_kinds() if k.model is model)
