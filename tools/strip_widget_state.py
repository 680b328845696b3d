"""Remove stored widget state from notebooks, so every static view shows the stored PNG.

A notebook whose metadata holds `widgets` (the state JupyterLab or nbconvert saves) makes
nbconvert, nbviewer and similar viewers prefer an output's widget view over its PNG; the
view then needs a widget manager fetched from a CDN, so offline the figure is lost. Without
the state they fall back to the next mime type, the PNG the explorer also stores. Only the
notebook's metadata changes: cells and outputs (what nbval compares) stay as they are.

    python tools/strip_widget_state.py notebooks/*.ipynb      # rewrite in place
    python tools/strip_widget_state.py --check notebooks/*.ipynb  # exit 1 if any has state
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def strip(nb: dict) -> bool:
    """Drop nb["metadata"]["widgets"]; return True if there was anything to drop."""
    return nb.get("metadata", {}).pop("widgets", None) is not None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if a notebook stores widget state")
    args = parser.parse_args(argv)
    found = []
    for path in args.notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        if strip(nb):
            found.append(path)
            if not args.check:
                # the layout nbformat writes: indent 1, non-ASCII kept, trailing newline
                path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    for path in found:
        print(f"{path}: {'stores' if args.check else 'removed'} widget state")
    return 1 if (args.check and found) else 0


if __name__ == "__main__":
    sys.exit(main())
