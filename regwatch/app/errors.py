"""Database and filesystem failures turned into one readable line (secrets masked) for the CLI."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from regwatch.config import mask_secrets


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        return Path(url[len("sqlite:///"):])
    return None


def _nearest_existing(path: Path) -> Path | None:
    return next((p for p in [path, *path.parents] if p.exists()), None)


def describe_database_error(url: str, exc: BaseException) -> str:
    """Why the database at ``url`` cannot be used, naming the host, file or permission at fault."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    safe = mask_secrets(url)
    reason = mask_secrets(_first_line(exc))
    if isinstance(exc, (ArgumentError, ValueError)) and not hasattr(exc, "orig"):
        return f"database_url {safe}: not a valid database URL ({reason})"
    path = _sqlite_path(url)
    if path is not None:
        folder = path.parent
        if "readonly" in reason or "read-only" in reason or ("unable to open" in reason and path.is_file()):
            return f"database {path}: the file or its folder {folder} is read-only for this user ({reason})"
        if "unable to open" in reason:
            existing = _nearest_existing(folder)
            if existing is not None and existing != folder:
                return f"database {path}: folder {folder} does not exist and cannot be created"
            return f"database {path}: cannot open the file ({reason}); check that {folder} is a writable folder"
        if "not a database" in reason:
            return f"database {path}: the file is not a SQLite database"
        return f"database {path}: {reason}"
    try:
        parsed = make_url(url)
        where = (f"PostgreSQL at {parsed.host or 'the local socket'}:{parsed.port or 5432} "
                 f"(database {parsed.database!r}, user {parsed.username!r})")
    except (ArgumentError, ValueError):
        where = safe
    if "authentication" in reason:
        return f"{where}: authentication failed ({reason})"
    if "does not exist" in reason:
        return f"{where}: {reason}"
    return f"{where}: cannot connect ({reason})"


def describe_os_error(exc: OSError) -> str:
    """A filesystem error as 'PATH: what is wrong'."""
    where = exc.filename if exc.filename is not None else "file"
    if exc.filename2 is not None:
        where = f"{where} → {exc.filename2}"
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "operation not permitted (read-only or immutable)",
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on the device",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "is a folder, not a file",
        errno.ENOENT: "no such file or folder",
        errno.EEXIST: "already exists",
    }
    reason = reasons.get(exc.errno or -1) or exc.strerror or os.strerror(exc.errno or 0) or str(exc)
    return mask_secrets(f"{where}: {reason}")
