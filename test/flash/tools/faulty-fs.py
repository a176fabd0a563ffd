#!/usr/bin/python3
# A FUSE file system with one file, disk.img, that misbehaves on purpose: writes or reads past a byte
# offset fail with EIO, or the file "vanishes" (every operation fails with ENODEV) once a write or a
# read crosses that offset. Run with Debian's python (python3-fusepy), as root:
#   /usr/bin/python3 faulty-fs.py MOUNTPOINT SIZE_BYTES MODE OFFSET
# MODE: fail-write | vanish-write | fail-read | vanish-read | corrupt-read (reads return the 4096
# bytes from OFFSET inverted, as a drive that lost them would) | none
import errno
import stat
import sys
import time

import fusepy
from fusepy import FUSE, FuseOSError, Operations

NAME = '/disk.img'


class FaultyFile(Operations):
    def __init__(self, size, mode, offset):
        self.data = bytearray(size)
        self.size = size
        self.mode = mode
        self.offset = offset
        self.vanished = False

    def _check(self, path):
        if self.vanished:
            raise FuseOSError(errno.ENODEV)
        if path not in ('/', NAME):
            raise FuseOSError(errno.ENOENT)

    def getattr(self, path, fh=None):
        self._check(path)
        now = time.time()
        if path == '/':
            return {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2, 'st_ctime': now, 'st_mtime': now, 'st_atime': now}
        return {'st_mode': stat.S_IFREG | 0o644, 'st_nlink': 1, 'st_size': self.size, 'st_ctime': now, 'st_mtime': now, 'st_atime': now}

    def readdir(self, path, fh):
        self._check(path)
        return ['.', '..', NAME[1:]]

    def open(self, path, flags):
        self._check(path)
        return 0

    def truncate(self, path, length, fh=None):
        self._check(path)

    def write(self, path, buf, offset, fh):
        self._check(path)
        if offset + len(buf) > self.offset:
            if self.mode == 'fail-write':
                raise FuseOSError(errno.EIO)
            if self.mode == 'vanish-write':
                self.vanished = True
                raise FuseOSError(errno.ENODEV)
        if offset + len(buf) > self.size:
            raise FuseOSError(errno.ENOSPC)
        self.data[offset:offset + len(buf)] = buf
        return len(buf)

    def read(self, path, size, offset, fh):
        self._check(path)
        if offset + size > self.offset and offset < self.size:
            if self.mode == 'fail-read':
                raise FuseOSError(errno.EIO)
            if self.mode == 'vanish-read':
                self.vanished = True
                raise FuseOSError(errno.ENODEV)
        data = bytearray(self.data[offset:offset + size])
        if self.mode == 'corrupt-read':
            for position in range(max(offset, self.offset), min(offset + size, self.offset + 4096)):
                data[position - offset] ^= 0xff
        return bytes(data)

    def flush(self, path, fh):
        return 0

    def fsync(self, path, datasync, fh):
        return 0

    def release(self, path, fh):
        return 0


if __name__ == '__main__':
    mountpoint, size, mode, offset = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    # direct_io: reads and writes reach this process every time (no page cache in between), so a
    # read-back really asks the "device".
    FUSE(FaultyFile(size, mode, offset), mountpoint, foreground=True, nothreads=True, direct_io=True)
