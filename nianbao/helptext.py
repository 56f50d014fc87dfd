"""``--help`` in words a person reads: no ``<bool>``, ``<str>`` or ``<list[Path]>`` in the type column.

Typer (0.2x) prints every parameter's Python annotation as its type: ``--json <bool>``, ``files...
<list[Path]>``. A flag takes no value, and an argument's name already says what it is, so those show
nothing; an option that takes a value shows Click's word for it (``PATH``, ``TEXT``, ``INTEGER``, or its
choices ``[zh|en]``), as Click itself does. Typer has no setting for this, so ``plain_help_types`` replaces
the one method both its help formatters (rich and plain) ask, once, for every command of the app.
"""

from __future__ import annotations

from typing import Any

from typer import core

#: Python's name for a value type -> Click's word for it.
WORDS = {"str": "TEXT", "int": "INTEGER", "float": "FLOAT", "bool": "BOOLEAN", "uuid": "UUID"}


def value_word(label: str, *, choice: bool = False) -> str:
    """Typer's ``<label>`` as Click would write it: ``<str>`` -> ``TEXT``, ``<list[Path]>`` -> ``PATH...``,
    ``<zh|en>`` (choices) -> ``[zh|en]``."""
    label = label.removeprefix("<").removesuffix(">")
    if label.startswith("list[") and label.endswith("]"):
        return value_word(label[5:-1], choice=choice) + "..."
    if choice:
        return f"[{label}]"
    return WORDS.get(label.lower(), label.upper())


def _option_type(self: core.TyperOption, ctx: Any) -> str | None:
    if self.is_flag or self.count:
        return None
    if self.metavar is not None:
        return self.metavar
    # A repeatable option (``list[str]``) takes one value each time it is given, as in Click: ``TEXT``.
    word = value_word(self.display_type(ctx), choice=self.type_descriptor.is_choice).removesuffix("...")
    return f"{word}..." if self.nargs != 1 else word


def _argument_type(self: core.TyperArgument, ctx: Any) -> str | None:
    return None


def plain_help_types() -> None:
    """Make every Typer command's help show Click's value words instead of Python annotations."""
    options: Any = core.TyperOption
    arguments: Any = core.TyperArgument
    options.display_type_rich = _option_type
    arguments.display_type_rich = _argument_type
