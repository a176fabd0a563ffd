#!/usr/bin/python3
# A FUSE file system whose files change under a reader, for the hostile-tree tests of `isotope create`
# (test/authoring/hostile-trees.integration.test.ts). Run with Debian's python (python3-fusepy), as root:
#   /usr/bin/python3 changing-fs.py MOUNTPOINT
# Files (each 64 KiB of 'x' as first seen; mtimes fixed, so only the named change differs):
#   steady.txt    never changes (the control: an image of it alone is written)
#   grows.bin     grows by 4 KiB at every stat after the first: a file still being written
#   vanishes.bin  stats as a file once, then is gone (ENOENT): a file deleted during the build
#   short.bin     stats as 64 KiB but reads end after 16 KiB: a file truncated during the build
import errno
import stat
import sys

from fusepy import FUSE, FuseOSError, Operations

SIZE = 64 * 1024
MTIME = 1_700_000_000
NAMES = ('steady.txt', 'grows.bin', 'vanishes.bin', 'short.bin')


class ChangingFiles(Operations):
    def __init__(self):
        self.stats = {name: 0 for name in NAMES}

    def _name(self, path):
        name = path.lstrip('/')
        if name not in NAMES:
            raise FuseOSError(errno.ENOENT)
        return name

    def _size(self, name):
        if name == 'grows.bin':
            return SIZE + 4096 * max(0, self.stats[name] - 1)
        return SIZE

    def getattr(self, path, fh=None):
        if path == '/':
            return {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2, 'st_ctime': MTIME, 'st_mtime': MTIME, 'st_atime': MTIME}
        name = self._name(path)
        self.stats[name] += 1
        if name == 'vanishes.bin' and self.stats[name] > 1:
            raise FuseOSError(errno.ENOENT)
        return {'st_mode': stat.S_IFREG | 0o644, 'st_nlink': 1, 'st_size': self._size(name), 'st_ctime': MTIME, 'st_mtime': MTIME, 'st_atime': MTIME}

    def readdir(self, path, fh):
        return ['.', '..', *NAMES]

    def open(self, path, flags):
        name = self._name(path)
        if name == 'vanishes.bin' and self.stats[name] > 1:
            raise FuseOSError(errno.ENOENT)
        return 0

    def read(self, path, size, offset, fh):
        name = self._name(path)
        end = 16 * 1024 if name == 'short.bin' else self._size(name)
        return b'x' * max(0, min(size, end - offset))


if __name__ == '__main__':
    # direct_io: every read reaches read() above (no page cache hiding the short file's end).
    FUSE(ChangingFiles(), sys.argv[1], foreground=True, nothreads=True, direct_io=True, attr_timeout=0, entry_timeout=0)
