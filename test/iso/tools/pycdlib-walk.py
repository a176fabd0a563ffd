#!/usr/bin/python3
# The reference listing for the differential tests: reads an ISO with pycdlib (Debian's
# python3-pycdlib) in one namespace and prints a JSON array of {path, type, sizeBytes?, target?,
# sha256?} sorted by path. It walks with pycdlib's list_children() rather than walk(), because walk()
# lists Rock Ridge relocated directories (CL/RE) twice and never under their real parent. Names are as
# pycdlib reports them, except that the ISO 9660 ";N" version (and the separator of an empty
# extension) is removed, as Isotope does; in the plain ISO 9660 namespace a Rock Ridge CL placeholder
# is the empty file its directory record says it is. The udf namespace is pycdlib's UDF walk (pycdlib
# reads UDF only next to an ISO 9660 volume, i.e. in bridges).
# Usage: /usr/bin/python3 pycdlib-walk.py IMAGE iso9660|joliet|rockridge|udf [--no-content]
import hashlib
import json
import re
import sys

import pycdlib


def strip_version(name):
    name = re.sub(r';\d*$', '', name)
    if name.endswith('.') and len(name) > 1:
        name = name[:-1]
    return name


def stream_sha256(iso, **path):
    digest = hashlib.sha256()
    with iso.open_file_from_iso(**path) as stream:
        while True:
            chunk = stream.read(1 << 20)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()


def udf_entries(iso, with_content):
    # pycdlib's walk(udf_path=...) cannot be used: its full_path_from_dirrecord() joins the raw
    # identifiers of every ancestor and decodes them all with the LAST one's encoding, while ECMA-167
    # 1/7.2.12 (OSTA UDF 2.1.1) gives each identifier its own compression id (8: one byte per
    # character, 16: UCS-2 big-endian). A 16-bit name under an 8-bit folder came back as
    # '/桯浥/...' ('home' read as UTF-16). Each name is decoded here with its own encoding, and
    # paths are built from those names (pycdlib's lookups take UTF-8 paths and try both encodings).
    entries = []
    pending = ['/']
    while pending:
        directory = pending.pop()
        for child in iso.list_children(udf_path=directory):
            if child is None or child.is_dot() or child.is_dotdot():
                continue
            name = child.file_identifier().decode(child.file_ident.encoding)
            path = directory.rstrip('/') + '/' + name
            if child.is_dir():
                entries.append({'path': path, 'type': 'directory'})
                pending.append(path)
                continue
            entry = {'path': path, 'type': 'symlink' if child.is_symlink() else 'file'}
            if entry['type'] == 'file':
                entry['sizeBytes'] = child.get_data_length()
                if with_content:
                    empty = entry['sizeBytes'] == 0
                    entry['sha256'] = hashlib.sha256(b'').hexdigest() if empty else stream_sha256(iso, udf_path=path)
            entries.append(entry)
    return entries


def iso9660_entries(iso, image, namespace, with_content):
    key = {'iso9660': 'iso_path', 'joliet': 'joliet_path', 'rockridge': 'rr_path'}[namespace]
    entries = []
    pending = [('/', '/')]  # (pycdlib path, shown path)
    while pending:
        raw_dir, shown_dir = pending.pop()
        listed_extent = iso.get_record(**{key: raw_dir}).extent_location()
        for child in iso.list_children(**{key: raw_dir}):
            if child is None or child.is_dot() or child.is_dotdot():
                continue
            if child.file_flags & 0x04:  # associated file
                continue
            # list_children() puts a relocated (RE) directory in place of its CL placeholder: it lives
            # here only when its physical parent is the listed directory.
            relocated = child.rock_ridge is not None and child.rock_ridge.relocated_record()
            placeholder = relocated and child.parent.extent_location() != listed_extent
            if namespace == 'rockridge' and relocated and not placeholder:
                continue
            if namespace == 'iso9660' and placeholder:
                name = strip_version(child.file_identifier().decode('ascii'))
                entry = {'path': shown_dir.rstrip('/') + '/' + name, 'type': 'file', 'sizeBytes': 0}
                if with_content:
                    entry['sha256'] = hashlib.sha256(b'').hexdigest()
                entries.append(entry)
                continue
            if namespace == 'rockridge':
                raw_name = child.rock_ridge.name().decode('utf-8')
                shown_name = raw_name
            elif namespace == 'joliet':
                raw_name = child.file_identifier().decode('utf-16_be')
                shown_name = strip_version(raw_name)
            else:
                raw_name = child.file_identifier().decode('ascii')
                shown_name = strip_version(raw_name)
            raw_path = raw_dir.rstrip('/') + '/' + raw_name
            shown_path = shown_dir.rstrip('/') + '/' + shown_name
            entry = {'path': shown_path}
            is_dir = (child.file_flags & 0x02) != 0 if namespace == 'iso9660' else child.is_dir()
            if is_dir:
                entry['type'] = 'directory'
                pending.append((raw_path, shown_path))
            elif namespace == 'rockridge' and child.rock_ridge is not None and child.rock_ridge.is_symlink():
                entry['type'] = 'symlink'
                entry['target'] = child.rock_ridge.symlink_path().decode('utf-8')
            else:
                record = iso.get_record(**{key: raw_path})
                entry['type'] = 'file'
                # get_data_length() covers every extent of a multi-extent file.
                entry['sizeBytes'] = record.get_data_length()
                if with_content and entry['sizeBytes'] == 0:
                    entry['sha256'] = hashlib.sha256(b'').hexdigest()
                elif with_content and record.inode is None:
                    # open_file_from_iso() refuses records pycdlib keeps as El Torito structures (the
                    # boot catalog): read the extent pycdlib parsed straight from the image.
                    with open(image, 'rb') as raw:
                        raw.seek(record.extent_location() * 2048)
                        entry['sha256'] = hashlib.sha256(raw.read(record.get_data_length())).hexdigest()
                elif with_content:
                    entry['sha256'] = stream_sha256(iso, **{key: raw_path})
            entries.append(entry)
    return entries


def main():
    image, namespace = sys.argv[1], sys.argv[2]
    with_content = '--no-content' not in sys.argv
    iso = pycdlib.PyCdlib()
    iso.open(image)
    if namespace == 'udf':
        entries = udf_entries(iso, with_content)
    else:
        entries = iso9660_entries(iso, image, namespace, with_content)
    iso.close()
    entries.sort(key=lambda entry: entry['path'])
    json.dump(entries, sys.stdout)


main()
