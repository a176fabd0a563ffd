#!/usr/bin/python3
# A stand-in for polkit's pkexec, for test/flash/elevation.integration.test.ts: an unprivileged
# engine runs `pkexec COMMAND...`, and a root daemon runs COMMAND as root with PKEXEC_UID set to the
# caller's real uid, taken from the socket's peer credentials (SO_PEERCRED), as pkexec takes it from
# its caller. Run with Debian's python:
#   /usr/bin/python3 fake-polkit.py serve SOCKET        (as root, inside the test's mount namespace)
#   /usr/bin/python3 fake-polkit.py run SOCKET ARGS...  (what the fake /usr/bin/pkexec execs)
import json
import os
import socket
import struct
import subprocess
import sys


def serve(path):
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    os.chmod(path, 0o666)
    server.listen(4)
    while True:
        connection, _ = server.accept()
        with connection:
            _pid, uid, _gid = struct.unpack('3i', connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize('3i')))
            request = b''
            while not request.endswith(b'\n'):
                chunk = connection.recv(65536)
                if not chunk:
                    break
                request += chunk
            argv = json.loads(request)
            # pkexec's clean environment: PATH and the caller's uid only.
            done = subprocess.run(argv, env={'PATH': '/usr/sbin:/usr/bin:/sbin:/bin', 'PKEXEC_UID': str(uid)}, capture_output=True, cwd='/')
            connection.sendall(json.dumps({'code': done.returncode, 'stdout': done.stdout.decode('utf8', 'replace'), 'stderr': done.stderr.decode('utf8', 'replace')}).encode())


def run(path, argv):
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.connect(path)
    client.sendall(json.dumps(argv).encode() + b'\n')
    reply = b''
    while True:
        chunk = client.recv(65536)
        if not chunk:
            break
        reply += chunk
    answer = json.loads(reply)
    sys.stdout.write(answer['stdout'])
    sys.stderr.write(answer['stderr'])
    sys.exit(answer['code'])


if __name__ == '__main__':
    if sys.argv[1] == 'serve':
        serve(sys.argv[2])
    else:
        run(sys.argv[2], sys.argv[3:])
