"""The CA bundle the integration trusts (``--ca-bundle``, else certifi's), read once per run.

It is read for the command line's check, for the run's SSL contexts and for the trust anchors' names
(to tell a missing intermediate from an unknown root): up to four reads of up to 16 MB. Each asks
here, and gets the text read the first time (keyed by the file's identity, so a changed file is read
again).
"""

from __future__ import annotations

import os
from functools import lru_cache


def pem_text(path: str | None) -> str:
    """The bundle's text; :class:`jiradoctor.files.FileProblem` (a ValueError) for a file that is too
    large, a folder, a pipe that does not end, or one that cannot be opened."""
    import certifi

    chosen = path or certifi.where()
    try:
        info = os.stat(chosen)
    except OSError:
        return _read(chosen, 0, -1)  # the bounded reader says why
    return _read(chosen, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=16)
def _read(path: str, mtime_ns: int, size: int) -> str:
    from jiradoctor import files

    return files.read_bounded(path, files.MAX_CA_BUNDLE, "CA bundle").decode("utf-8", "replace")
