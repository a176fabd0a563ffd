#!/usr/bin/python3
# The pycdlib oracle of the authoring differential suite (test/authoring/differential/pycdlib-oracle.ts):
# reads an ISO with Debian's python3-pycdlib in one namespace and prints a JSON array of
# {path, kind, sizeBytes?, sha256?, mode?, uid?, gid?, mtimeS?, linkTarget?, device?, extentLba?}.
# Rock Ridge: names from NM, attributes from PX/TF/PN/SL; relocated directories (RRIP 4.1.5 CL/RE) are
# shown at their original place, as list_children() gives them, and not again under RR_MOVED.
# Joliet and plain ISO 9660: names as recorded (';1' kept: the caller checks them), kind and size.
# Usage: /usr/bin/python3 pycdlib-oracle.py IMAGE rockridge|joliet|iso9660 [--no-content]
import calendar
import hashlib
import json
import sys

import pycdlib

KINDS = {0o100000: 'file', 0o040000: 'directory', 0o120000: 'symlink', 0o060000: 'block-device',
         0o020000: 'character-device', 0o010000: 'fifo', 0o140000: 'socket'}


def sha256_of(iso, key, path):
    digest = hashlib.sha256()
    with iso.open_file_from_iso(**{key: path}) as stream:
        while True:
            chunk = stream.read(1 << 22)
            if not chunk:
                break
            digest.update(chunk)
    return digest.hexdigest()


def seconds_of(date):
    # ECMA-119 9.1.5: years since 1900 ... offset from GMT in 15-minute units.
    stamp = calendar.timegm((1900 + date.years_since_1900, date.month, date.day_of_month, date.hour, date.minute, date.second))
    offset = date.gmtoffset - 256 if date.gmtoffset > 127 else date.gmtoffset
    return stamp - offset * 15 * 60


def rock_ridge_record(rock_ridge, name):
    return getattr(rock_ridge.dr_entries, name) or getattr(rock_ridge.ce_entries, name)


def rock_ridge_attributes(child, entry):
    rock_ridge = child.rock_ridge
    px = rock_ridge_record(rock_ridge, 'px_record')
    if px is not None:
        entry['kind'] = KINDS.get(px.posix_file_mode & 0o170000, 'file')
        entry['mode'] = px.posix_file_mode & 0o7777
        entry['uid'] = px.posix_user_id
        entry['gid'] = px.posix_group_id
    tf = rock_ridge_record(rock_ridge, 'tf_record')
    # RRIP 4.1.6: TF's times follow its flag bits (0 creation, 1 modify, 2 access, 3 attributes);
    # pycdlib names them in another order (its 'access_time' is bit 1), so take the time by its bit.
    if tf is not None and tf.time_flags & 0x02:
        entry['mtimeS'] = seconds_of(tf.access_time)
    pn = rock_ridge_record(rock_ridge, 'pn_record')
    if pn is not None:
        # RRIP 4.1.2 as xorriso, bsdtar and libarchive read it (and Isotope's deviceNumbers): a high word
        # of 0 is a split Linux dev_t as libisofs writes it (glibc makedev: major in bits 8-19, minor in
        # bits 0-7 and 20-31); else high major, low minor (mkisofs). Not as the Linux kernel reads it
        # (fs/isofs/rock.c: low >> 8, low & 0xff), which misreads any number above 255 in this form;
        # the mkisofs form would break xorriso's reading instead.
        high, low = pn.dev_t_high, pn.dev_t_low
        if high == 0:
            entry['device'] = '%d,%d' % ((low >> 8) & 0xfff, (low & 0xff) | ((low >> 12) & 0xfff00))
        else:
            entry['device'] = '%d,%d' % (high, low)
    if rock_ridge.is_symlink():
        entry['kind'] = 'symlink'
        entry['linkTarget'] = rock_ridge.symlink_path().decode('utf-8', 'surrogateescape')


def child_name(child, namespace):
    if namespace == 'rockridge':
        return child.rock_ridge.name().decode('utf-8', 'surrogateescape')
    if namespace == 'joliet':
        return child.file_identifier().decode('utf-16_be', 'surrogatepass')
    return child.file_identifier().decode('latin-1')


def walk(iso, namespace, with_content):
    key = {'iso9660': 'iso_path', 'joliet': 'joliet_path', 'rockridge': 'rr_path'}[namespace]
    entries = []
    pending = [('/', '/')]  # (pycdlib path, shown path)
    while pending:
        raw_dir, shown_dir = pending.pop()
        listed_extent = iso.get_record(**{key: raw_dir}).extent_location()
        for child in iso.list_children(**{key: raw_dir}):
            if child is None or child.is_dot() or child.is_dotdot() or child.file_flags & 0x04:
                continue
            relocated = namespace != 'joliet' and child.rock_ridge is not None and child.rock_ridge.relocated_record()
            placeholder = relocated and child.parent.extent_location() != listed_extent
            if namespace == 'rockridge' and relocated and not placeholder:
                continue
            name = child_name(child, namespace)
            raw_path = raw_dir.rstrip('/') + '/' + name
            entry = {'path': shown_dir.rstrip('/') + '/' + name}
            if namespace == 'iso9660' and placeholder:
                entry.update(kind='file', sizeBytes=0)
                entries.append(entry)
                continue
            is_dir = (child.file_flags & 0x02) != 0 if namespace == 'iso9660' else child.is_dir()
            entry['kind'] = 'directory' if is_dir else 'file'
            if namespace == 'rockridge' and child.rock_ridge is not None:
                rock_ridge_attributes(child, entry)
            if is_dir:
                pending.append((raw_path, entry['path']))
            elif entry['kind'] == 'file':
                record = iso.get_record(**{key: raw_path})
                entry['sizeBytes'] = record.get_data_length()  # every extent of a multi-extent file
                entry['extentLba'] = record.extent_location()
                if with_content:
                    entry['sha256'] = hashlib.sha256(b'').hexdigest() if entry['sizeBytes'] == 0 else sha256_of(iso, key, raw_path)
            entries.append(entry)
    return entries


def main():
    image, namespace = sys.argv[1], sys.argv[2]
    iso = pycdlib.PyCdlib()
    iso.open(image)
    entries = walk(iso, namespace, '--no-content' not in sys.argv)
    iso.close()
    json.dump(entries, sys.stdout)


main()
