"""Replacing moto's code in the running process, after checking it.

Each replacement names the code it replaces by a digest of its source. When
moto changes that code (another version, a local edit), install() stops the
launcher at once, saying which patch to review, instead of letting the twin
misbehave later.
"""

import hashlib
import inspect


class PatchError(SystemExit):
    """The code a patch replaces is not the code it was written for."""


def source_digest(func):
    """The first 16 hex digits of the SHA-256 of func's source."""
    return hashlib.sha256(inspect.getsource(func).encode("utf-8")).hexdigest()[:16]


def replace(owner, name, new, digest):
    """Sets owner.name to new and returns the function it replaced.

    The current attribute's source must hash to digest (see source_digest).
    A staticmethod is replaced by a staticmethod.
    """
    current = owner.__dict__.get(name)
    if current is None:
        raise PatchError(f"twin: {owner.__qualname__}.{name} no longer exists; review the patch")
    func = current.__func__ if isinstance(current, (staticmethod, classmethod)) else current
    got = source_digest(func)
    if got != digest:
        raise PatchError(
            f"twin: {owner.__qualname__}.{name} is not the code this patch replaces "
            f"(source sha256 {got}, patch written for {digest}); review the patch"
        )
    if isinstance(current, staticmethod):
        new = staticmethod(new)
    setattr(owner, name, new)
    return func


def add(owner, name, new):
    """Sets owner.name, which must not exist yet, to new.

    For what moto lacks altogether (an API action, say): if a later moto
    has it, install() stops, so that the twin's version is reviewed against
    moto's instead of hiding it.
    """
    if name in owner.__dict__:
        raise PatchError(f"twin: {owner.__qualname__}.{name} exists now; review the patch that adds it")
    setattr(owner, name, new)


def check(owner, name, digest):
    """Checks, without replacing it, that owner.name is the code a patch
    relies on (see replace)."""
    current = owner.__dict__.get(name)
    if current is None:
        raise PatchError(f"twin: {owner.__qualname__}.{name} no longer exists; review the patch")
    got = source_digest(current.__func__ if isinstance(current, (staticmethod, classmethod)) else current)
    if got != digest:
        raise PatchError(
            f"twin: {owner.__qualname__}.{name} is not the code a patch relies on "
            f"(source sha256 {got}, patch written for {digest}); review the patch"
        )
