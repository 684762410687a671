"""Opening files named by a config or by the farm: regular files only, and reads with a bound.

A FIFO, /dev/zero or a symlink to /dev/urandom where a config, a secret or a frame log should be would
otherwise hang the open (a FIFO waits for a writer) or grow without end (a device never reaches EOF).
The file is opened without blocking, checked with fstat on the open descriptor (no race with a rename),
and refused unless it is a regular file; whole-file reads stop at a size limit.
"""

from __future__ import annotations

import errno
import os
import stat
from typing import BinaryIO

_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The path names something other than a regular file; `strerror` says what."""


class FileTooLarge(OSError):
    """A whole-file read passed its limit; `strerror` says the limit."""


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """`path` opened for reading in binary; NotRegularFile for a FIFO, device or socket,
    IsADirectoryError for a directory, and the usual OSErrors otherwise. Never blocks."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
            raise NotRegularFile(errno.EINVAL, f"not a regular file ({kind})", str(path))
        if flags & getattr(os, "O_NONBLOCK", 0) and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: str | os.PathLike[str], limit: int) -> bytes:
    """The whole of a regular file of at most `limit` bytes; FileTooLarge beyond, NotRegularFile
    for what is not a regular file."""
    with open_regular(path) as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge(errno.EFBIG, f"larger than {limit // 1024} KiB", str(path))
    return data
