"""Revision counters: what cached page fragments are keyed on.

Each system and each framework carries a `revision` integer, and each person a `roles_revision`
(raised when their roles change: it keys their cached roles). Any write to data a page shows
about a system (its partners, people, rounds, ratings, consensus, plans, returns) adds one to
that system's revision; any write to a framework's content (levels, changes, descriptors,
actions, the crosswalk, the case studies matched to its changes) adds one to the framework's.
Pages key their cached fragments on these counters (see `hicm_portal.fragments`), so a
fragment is never served after the data under it changed: the next request builds a new one.

How a write is noticed: each app registers, for each of its models, a resolver that names the
systems and frameworks an instance belongs to (`register`). Saves, deletes and many-to-many
changes are caught by Django's signals. Queryset `update()` and `bulk_create()` send no
signals, so the services that use them call `touch()` themselves.

When the counter moves: inside `revisions.atomic()` (the services' transactions) the touched
ids are collected and the counters are raised once, in id order, as the last statements before
the commit. Taking the counter's row lock last means a transaction never waits for another lock
while holding it, so the counters add no deadlock to the services' own row locks; and the new
revision commits together with the data it describes. Outside such a block (the admin, the
import screens, management commands) a write raises the counter at once.

Readers must read the revision before the data (the pages read it with the round or system
they look up first): then a fragment stored under a revision holds data at least as new as
that revision.
"""

import sys
import threading
from collections.abc import Callable, Iterable
from contextlib import ContextDecorator
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_save, pre_delete


@dataclass
class Touched:
    """The ids whose counters a write moves."""

    systems: set[int] = field(default_factory=set)
    frameworks: set[int] = field(default_factory=set)
    users: set[int] = field(default_factory=set)  # whose roles changed

    def add(self, other: "Touched") -> None:
        self.systems |= other.systems
        self.frameworks |= other.frameworks
        self.users |= other.users

    def __bool__(self) -> bool:
        return bool(self.systems or self.frameworks or self.users)


Resolver = Callable[[models.Model], Touched]
_resolvers: dict[type[models.Model], Resolver] = {}
_ignored_fields: dict[type[models.Model], frozenset[str]] = {}
_untracked: dict[type[models.Model], str] = {}


def systems(*ids: int | None) -> Touched:
    return Touched(systems={i for i in ids if i is not None})


def frameworks(*ids: int | None) -> Touched:
    return Touched(frameworks={i for i in ids if i is not None})


def roles_of_users(*ids: int | None) -> Touched:
    return Touched(users={i for i in ids if i is not None})


def register(
    model: type[models.Model], resolver: Resolver, *, ignore_fields: Iterable[str] = ()
) -> None:
    """Raise the counters `resolver(instance)` names whenever an instance of `model` is saved,
    deleted or has a many-to-many relation changed. A save of `ignore_fields` alone (such as
    a person's last login) moves nothing."""
    _resolvers[model] = resolver
    _ignored_fields[model] = frozenset(ignore_fields)
    uid = f"hicm-revisions-{model._meta.label}"
    post_save.connect(_on_save, sender=model, dispatch_uid=uid)
    pre_delete.connect(_on_save, sender=model, dispatch_uid=uid)
    for m2m in model._meta.local_many_to_many:
        m2m_changed.connect(_on_m2m, sender=m2m.remote_field.through, dispatch_uid=uid)


def untracked(model: type[models.Model], reason: str) -> None:
    """Declare that no page fragment shows this model's data, and why."""
    _untracked[model] = reason


def is_registered(model: type[models.Model]) -> bool:
    return model in _resolvers


def is_untracked(model: type[models.Model]) -> bool:
    return model in _untracked


def resolve(instance: models.Model) -> Touched:
    resolver = _resolvers.get(type(instance))
    return resolver(instance) if resolver else Touched()


def _on_save(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    if raw:  # fixtures loading: nothing is cached about rows that did not exist
        return
    if update_fields and set(update_fields) <= _ignored_fields.get(sender, frozenset()):
        return
    touch(resolve(instance), using=kwargs.get("using") or DEFAULT_DB_ALIAS)


def _on_m2m(sender, instance, action, **kwargs) -> None:
    if action in ("post_add", "post_remove", "pre_clear"):
        touched = resolve(instance)
        model = kwargs.get("model")
        pk_set = kwargs.get("pk_set") or ()
        if model in _resolvers and pk_set:
            # The other side's pages show the relation too (an action listed on a round).
            for other in model._default_manager.filter(pk__in=pk_set):
                touched.add(resolve(other))
        touch(touched, using=kwargs.get("using") or DEFAULT_DB_ALIAS)


# ---------------------------------------------------------------------------
# Collecting and raising


class _State(threading.local):
    def __init__(self) -> None:
        self.depth: dict[str, int] = {}
        self.pending: dict[str, Touched] = {}


_state = _State()


def touch(touched: Touched, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Note that the data of these systems, frameworks or people's roles changed:
    `touch(revisions.systems(system.pk))`."""
    if not touched:
        return
    if _state.depth.get(using):
        _state.pending.setdefault(using, Touched()).add(touched)
    else:
        _raise(touched, using)


def _raise(touched: Touched, using: str) -> None:
    counters = (
        (apps.get_model("assessments", "Framework"), "revision", touched.frameworks),
        (apps.get_model("assessments", "System"), "revision", touched.systems),
        (get_user_model(), "roles_revision", touched.users),
    )
    for model, name, ids in counters:
        for pk in sorted(ids):  # one row at a time, in a fixed order: a fixed lock order
            model._default_manager.using(using).filter(pk=pk).update(**{name: F(name) + 1})


class atomic(ContextDecorator):  # noqa: N801 - used like transaction.atomic
    """`transaction.atomic` that raises the touched revisions last, just before the commit of
    its outermost block. Use it for every service that writes."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using

    def _recreate_cm(self):
        # A fresh block for each call of a decorated function: calls may nest or overlap.
        return type(self)(self.using)

    def __enter__(self):
        self._atomic = transaction.atomic(using=self.using)
        self._atomic.__enter__()
        _state.depth[self.using] = _state.depth.get(self.using, 0) + 1
        return self

    def __exit__(self, exc_type, exc, tb):
        depth = _state.depth[self.using] = _state.depth[self.using] - 1
        try:
            if depth == 0:
                pending = _state.pending.pop(self.using, None)
                # Nothing to raise when the block fails or is marked to roll back.
                if exc_type is None and pending and not transaction.get_rollback(self.using):
                    _raise(pending, self.using)
        except BaseException:
            self._atomic.__exit__(*sys.exc_info())
            raise
        return self._atomic.__exit__(exc_type, exc, tb)
