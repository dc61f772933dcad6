"""`python -m etl.extract PATH... [--json]`: the figures of files or folders, as JSON Lines or a table."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl.extract", description=__doc__)
    ap.add_argument("paths", nargs="+", type=Path)
    ap.add_argument("--json", action="store_true", help="JSON Lines, one figure per line (the default)")
    args = ap.parse_args(argv)
    from etl.extract import extract
    from etl.extract.documents import DocumentError, iter_paths, read_path_lenient

    read = errors = 0
    out = sys.stdout
    for path in iter_paths(args.paths):
        try:
            docs, bad = read_path_lenient(path)
        except DocumentError as exc:
            print(f"error: {exc}", file=sys.stderr)
            errors += 1
            continue
        for where, reason, _ in bad:
            print(f"error: {where}: {reason}", file=sys.stderr)
            errors += 1
        for doc in docs:
            read += 1
            for fig in extract(doc):
                out.write(json.dumps(fig, ensure_ascii=False) + "\n")
    out.flush()
    # bad lines are reported but do not fail a run that read documents
    return 1 if errors and not read else 0


if __name__ == "__main__":
    sys.exit(main())
