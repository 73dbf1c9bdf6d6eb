#!/usr/bin/env python3
"""Checks every #include of the product and its tests against the allowed arrows between layers
(docs/architecture.md). Fails naming the file, the line and the arrow that is not allowed.

  scripts/check-includes.py            check the tree this script belongs to
  scripts/check-includes.py --root D   check another tree (used by the self-test)
  scripts/check-includes.py --selftest plant wrong includes in a scratch tree and expect failures
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

# Layer of a source file, from its path. Order matters: first match wins.
LAYERS = [
    (r'^dispatcher/core/', 'core'),
    (r'^dispatcher/model/', 'model'),
    (r'^dispatcher/policy/', 'policy'),
    (r'^dispatcher/checks/', 'checks'),
    (r'^dispatcher/render/', 'render'),
    (r'^dispatcher/store/', 'store'),
    (r'^dispatcher/(accounts|audit|channel_accounts|media|review)/', 'services'),
    (r'^dispatcher/dispatch/', 'dispatch'),
    (r'^dispatcher/records/', 'records'),
    (r'^dispatcher/http/', 'http'),
    (r'^dispatcher/app/', 'app'),
    (r'^dispatcher/main\.cc$', 'app'),  # the composition root's entry point
    # A platform's sandbox (sandbox.cc and its parts sandbox_*.cc) speaks the platform's protocol
    # as a server; it is not linked into the product's channel code. Its demo.{h,cc} is the
    # platform's sandbox-registry entry.
    (r'^channels/(sandbox/|[^/]+/(sandbox(_[a-z]+)?|demo)\.(cc|h)$)', 'sandbox'),
    (r'^channels/', 'channels'),
    (r'^tests/dispatcher/store/', 'store_tests'),
    (r'^tests/', 'tests'),
    (r'^bench/', 'bench'),
]

# Which layers each layer may include (itself always).
ALLOWED = {
    'core': set(),
    'model': {'core'},
    'policy': {'core', 'model'},
    'checks': {'core', 'model'},
    'render': {'core'},
    'channels': {'core', 'model', 'render'},
    'sandbox': {'core', 'model', 'render', 'channels'},
    'store': {'core', 'model'},
    'services': {'core', 'model', 'policy', 'store', 'channels'},
    'dispatch': {'core', 'model', 'policy', 'store', 'services', 'channels'},
    'records': {'core', 'model', 'policy', 'render', 'store', 'services'},
    'http': {'core', 'model', 'services', 'dispatch', 'records'},
    'app': {'core', 'model', 'policy', 'checks', 'render', 'store', 'services', 'dispatch',
            'records', 'http', 'channels', 'sandbox'},
    'store_tests': None,  # anything
    'tests': None,
    'bench': None,
}

# Third-party headers that belong to one layer only.
PRIVATE_HEADERS = [
    # The API benchmark measures raw SQLite as its ceiling.
    (re.compile(r'^SQLiteCpp/|^sqlite3\.h$'), {'store', 'store_tests', 'bench'}, 'SQLite'),
    (re.compile(r'^httplib\.h$'), {'http', 'channels', 'sandbox', 'tests', 'store_tests', 'bench'},
     'cpp-httplib'),
]
# cpp-httplib inside channels/ is the transport's alone.
HTTPLIB_CHANNEL_FILES = re.compile(r'^channels/transport\.(cc|h)$')

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(path):
    for pattern, name in LAYERS:
        if re.search(pattern, path):
            return name
    return None


def check(root, files):
    errors = []
    for rel in files:
        src = layer_of(rel)
        if src is None:
            continue
        with open(os.path.join(root, rel), encoding='utf-8', errors='replace') as f:
            for n, line in enumerate(f, 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, target = m.groups()
                if kind == '"':
                    dst = layer_of(target)
                    allowed = ALLOWED[src]
                    if dst is None or dst == src or allowed is None or dst in allowed:
                        continue
                    errors.append(f'{rel}:{n}: {src} may not include {target} ({dst}); '
                                  f'{src} may include: {", ".join(sorted(allowed)) or "nothing"}')
                else:
                    for pattern, layers, what in PRIVATE_HEADERS:
                        if not pattern.search(target):
                            continue
                        ok = src in layers
                        if ok and what == 'cpp-httplib' and src == 'channels':
                            ok = bool(HTTPLIB_CHANNEL_FILES.search(rel))
                        if not ok:
                            errors.append(f'{rel}:{n}: <{target}> ({what}) is private to '
                                          f'{", ".join(sorted(layers))}; {src} may not include it')
    return errors


def tracked_files(root):
    out = subprocess.run(['git', '-C', root, 'ls-files', '*.cc', '*.h'], check=True,
                         capture_output=True, text=True).stdout
    return out.split()


def selftest():
    planted = {
        'dispatcher/checks/planted.cc': '#include "dispatcher/store/db.h"\n',
        'dispatcher/model/planted.h': '#include "dispatcher/http/server.h"\n',
        'channels/planted.cc': '#include "dispatcher/app/app.h"\n',
        'dispatcher/review/planted.cc': '#include <SQLiteCpp/Database.h>\n',
        'channels/weibo/planted.cc': '#include <httplib.h>\n',
        'dispatcher/core/fine.cc': '#include "dispatcher/core/status.h"\n#include <string>\n',
        'dispatcher/store/fine.cc': '#include <SQLiteCpp/Database.h>\n#include "dispatcher/model/x.h"\n',
    }
    with tempfile.TemporaryDirectory() as tmp:
        for rel, text in planted.items():
            os.makedirs(os.path.join(tmp, os.path.dirname(rel)), exist_ok=True)
            with open(os.path.join(tmp, rel), 'w', encoding='utf-8') as f:
                f.write(text)
        errors = check(tmp, sorted(planted))
    bad = sorted({e.split(':')[0] for e in errors})
    want = sorted(p for p in planted if 'planted' in p)
    for e in errors:
        print('  (planted) ' + e)
    if bad != want:
        print(f'check-includes self-test FAILED: flagged {bad}, expected {want}', file=sys.stderr)
        return 1
    print(f'check-includes self-test: {len(want)} planted wrong includes flagged, '
          f'{len(planted) - len(want)} allowed ones passed')
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--root', default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap.add_argument('--selftest', action='store_true')
    args = ap.parse_args()
    if args.selftest:
        return selftest()
    files = tracked_files(args.root)
    errors = check(args.root, files)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        print(f'check-includes: {len(errors)} include(s) against the layers '
              f'(docs/architecture.md)', file=sys.stderr)
        return 1
    print(f'check-includes: {len(files)} files, every include follows the layers')
    return 0


if __name__ == '__main__':
    sys.exit(main())
