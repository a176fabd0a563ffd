#!/usr/bin/python3
# The pycdlib reference listing of an ISO/UDF bridge's UDF tree (pycdlib reads UDF only next to an
# ISO 9660 volume): a JSON array of {path, type, sizeBytes?, sha256?} sorted by path.
# Usage: /usr/bin/python3 pycdlib-udf-walk.py IMAGE [--no-content]
import hashlib
import json
import sys

import pycdlib


def main():
    image = sys.argv[1]
    with_content = '--no-content' not in sys.argv
    iso = pycdlib.PyCdlib()
    iso.open(image)
    entries = []
    for directory, dirs, files in iso.walk(udf_path='/'):
        base = directory.rstrip('/')
        for name in dirs:
            entries.append({'path': base + '/' + name, 'type': 'directory'})
        for name in files:
            path = base + '/' + name
            record = iso.get_record(udf_path=path)
            entry = {'path': path, 'type': 'symlink' if record.is_symlink() else 'file'}
            if entry['type'] == 'file':
                entry['sizeBytes'] = record.get_data_length()
                if with_content:
                    digest = hashlib.sha256()
                    if entry['sizeBytes'] > 0:
                        with iso.open_file_from_iso(udf_path=path) as stream:
                            while True:
                                chunk = stream.read(1 << 20)
                                if not chunk:
                                    break
                                digest.update(chunk)
                    entry['sha256'] = digest.hexdigest()
            entries.append(entry)
    iso.close()
    entries.sort(key=lambda entry: entry['path'])
    json.dump(entries, sys.stdout)


main()
