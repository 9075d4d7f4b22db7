"""One masking function for every message that may hold a secret (URLs, errors, log lines)."""

from __future__ import annotations

import re

MASK = "***"
#: ``scheme://user:password@host``: the password runs to the last ``@`` before the path, so a
#: password with an unencoded ``@`` is masked whole, never half.
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s/:@?#]*:)(?P<secret>[^\s/]*)@(?=[^\s@/]*(?:[/?#\s]|$))")
#: ``?password=…``, ``&token=…``, ``api_key=…``, ``secret=…`` in a query string or a key=value text.
_SECRET_PARAM = re.compile(
    r"(?P<head>(?<![\w.\-])[\w.\-]*(?:password|passwd|pwd|secret|token|key|auth|signature|sig|credentials?)=)"
    r"(?P<secret>[^&#\s'\"]*)", re.I)


def mask_secrets(text: object) -> str:
    """``text`` with URL passwords and secret-looking query values replaced by ``***``.

    >>> mask_secrets("postgresql://bot:p@ss@db.internal/rw?sslkey=/k&password=x")
    'postgresql://bot:***@db.internal/rw?sslkey=***&password=***'
    """
    s = _USERINFO.sub(lambda m: m["head"] + (MASK if m["secret"] else "") + "@", str(text))
    return _SECRET_PARAM.sub(lambda m: m["head"] + (MASK if m["secret"] else ""), s)
