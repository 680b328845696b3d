"""Build the course website from the notebooks' stored outputs (python website/build.py).

Pages: Sphinx with myst-nb reads every lesson and exercise notebook as it is stored (no
re-execution; nb_execution_mode is "off"). Explorers: each lesson with explorer outputs is
run once, headless, in a kernel (nbclient), so that after each explorer's cell its frames
can be rendered through the explorer's public API (frames.py, here); its notebook output
on the page becomes a small static control (website/static/frames.js) that switches them.
Nothing the build writes goes back into the notebooks. MathJax is copied from a local
file (--mathjax, fetched by make), so no page needs a network.

    python website/build.py --mathjax build/vendor/mathjax/tex-svg-full.js --out build/site
"""

from __future__ import annotations

import argparse
import copy
import html
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from sgdcourse import layout

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VIEW = "application/vnd.jupyter.widget-view+json"


def table_of_contents(root=ROOT):
    """The site's order: each lesson followed by its exercise notebook (the course layout's rule)."""
    return layout.table_of_contents(root)


def explorer_views(nb):
    """[(cell index, output index)] of every output that shows an explorer (widget view + PNG)."""
    return [
        (i, j)
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        for j, out in enumerate(cell.get("outputs", []))
        if VIEW in out.get("data", {}) and "image/png" in out["data"]
    ]


def render_frames(path, outdir, log=print):
    """Run the notebook in a kernel; after each cell that shows explorers, render their frames
    into outdir/<k>/ (one folder per distinct explorer). Returns {(cell, output): (k, manifest)}."""
    from nbclient import NotebookClient

    stored = nbformat.read(path, as_version=4)
    views = explorer_views(stored)
    if not views:
        return {}
    nb = copy.deepcopy(stored)
    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(path.parent)}})
    result, seen = {}, {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)
            here = [j for (i, j) in views if i == index]
            fresh = [out for out in cell.outputs if VIEW in out.get("data", {})]
            if len(fresh) != len(here):
                raise RuntimeError(f"{path.name} cell {index}: {len(here)} explorer outputs stored, {len(fresh)} now")
            for j, out in zip(here, fresh):
                model_id = out["data"][VIEW]["model_id"]
                if model_id not in seen:
                    k = len(seen)
                    t0 = time.perf_counter()
                    probe = nbformat.v4.new_code_cell(  # frames.py is the site's, not the library's
                        f"import sys\nsys.path.insert(0, {str(HERE)!r})\nfrom frames import render_displayed\n"
                        f"render_displayed({model_id!r}, {str(outdir / str(k))!r})"
                    )
                    client.execute_cell(probe, index)
                    errors = [o for o in probe.outputs if o.output_type == "error"]
                    if errors:
                        raise RuntimeError(f"{path.name} cell {index}: {errors[0]['ename']}: {errors[0]['evalue']}")
                    text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
                    seen[model_id] = (k, json.loads(text.strip().splitlines()[-1]))
                    log(
                        f"  {path.name} cell {index}: {seen[model_id][1]['type']}, "
                        f"{len(seen[model_id][1]['texts'])} frames in {time.perf_counter() - t0:.1f} s"
                    )
                result[(index, j)] = seen[model_id]
    return result


def control_html(manifest, src):
    """The static control for one explorer: its controls, the frame image and the readout."""
    rows = []
    for j, c in enumerate(manifest["controls"]):
        name = html.escape(c["description"])
        if c["kind"] == "checkbox":
            checked = " checked" if c["index"] else ""
            rows.append(
                f'<label class="sgd-control">{name} <input type="checkbox" data-control="{j}"{checked}></label>'
            )
        else:
            rows.append(
                f'<label class="sgd-control">{name} <input type="range" min="0" max="{len(c["labels"]) - 1}" '
                f'step="1" value="{c["index"]}" data-control="{j}" aria-label="{name}"> '
                f'<output data-label="{j}">{html.escape(c["labels"][c["index"]])}</output></label>'
            )
    k = 0
    for c in manifest["controls"]:
        k = k * len(c["labels"]) + c["index"]
    data = json.dumps({"controls": manifest["controls"], "texts": manifest["texts"]}).replace("</", "<\\/")
    return (
        f'<div class="sgd-frames" data-frames="{src}">'
        f'<div class="sgd-controls">{"".join(rows)}</div>'
        f'<img class="sgd-frame" src="{src}{k:04d}.png" width="{manifest["width"]}" height="{manifest["height"]}" '
        f'alt="{html.escape(manifest["type"])}: {html.escape(manifest["texts"][k])}">'
        f'<pre class="sgd-readout">{html.escape(manifest["texts"][k])}</pre>'
        f'<script type="application/json">{data}</script></div>'
    )


def page_notebook(path, frames, static_url):
    """The notebook as the site shows it: explorer outputs become static controls; no output
    keeps a widget view (no widget manager on the site)."""
    nb = nbformat.read(path, as_version=4)
    for (i, j), (k, manifest) in frames.items():
        out = nb.cells[i].outputs[j]
        out["data"] = {
            "text/html": control_html(manifest, f"{static_url}{k}/"),
            "text/plain": out["data"]["text/plain"],
        }
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(VIEW, None)
    nb.metadata.pop("widgets", None)
    return nb


def landing_page(order):
    text = (HERE / "index.md").read_text()
    toc = "\n".join(Path(p).with_suffix("").as_posix() for p in order)
    return text + f"\n```{{toctree}}\n:caption: The course\n:maxdepth: 1\n\n{toc}\n```\n"


def build(out, mathjax, workdir, log=print):
    src, out = Path(workdir), Path(out)
    for folder in (src, out):  # no page or frame of an earlier build survives
        if folder.exists():
            shutil.rmtree(folder)
    (src / "_static").mkdir(parents=True)
    shutil.copy(HERE / "conf.py", src / "conf.py")
    for f in (HERE / "static").iterdir():
        shutil.copy(f, src / "_static" / f.name)
    (src / "_static" / "mathjax").mkdir()
    shutil.copy(mathjax, src / "_static" / "mathjax" / "tex-svg-full.js")
    order = table_of_contents()
    (src / "index.md").write_text(landing_page(order))
    report = {}
    for rel in order:
        path = ROOT / rel
        frames_dir = src / "_static" / "frames" / Path(rel).with_suffix("")
        frames = render_frames(path, frames_dir, log)
        static_url = f"../_static/frames/{Path(rel).with_suffix('').as_posix()}/"
        (src / rel).parent.mkdir(exist_ok=True)
        nbformat.write(page_notebook(path, frames, static_url), src / rel)
        report[rel] = {
            "explorers": len({k for k, _ in frames.values()}),
            "frames": sum(len(m["texts"]) for k, m in dict(frames.values()).items()),
        }
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E", str(src), str(out)], check=True
    )
    report = weigh(Path(out), report)
    (Path(out) / "site-report.json").write_text(json.dumps(report, indent=1))
    return report


def weigh(out, pages):
    """Bytes per page: its HTML with the images it shows, and its explorers' frames; the
    assets every page shares (theme, search, MathJax) once; the whole site."""
    report = {"pages": {}}
    for rel, info in pages.items():
        page = out / Path(rel).with_suffix(".html")
        text = page.read_text()
        images = {m for m in re.findall(r'<img[^>]*\bsrc="([^"]+)"', text) if "/_static/frames/" not in m}
        frames = out / "_static" / "frames" / Path(rel).with_suffix("")
        report["pages"][rel] = {
            **info,
            "page_bytes": page.stat().st_size + sum((page.parent / m).stat().st_size for m in images),
            "frame_bytes": sum(f.stat().st_size for f in frames.rglob("*.png")),
        }
    everything = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    report["shared_bytes"] = sum(
        f.stat().st_size
        for f in (out / "_static").rglob("*")
        if f.is_file() and "frames" not in f.relative_to(out / "_static").parts
    )
    report["total_bytes"] = everything
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    parser.add_argument("--mathjax", type=Path, required=True, help="MathJax 3 tex-svg-full.js, a local file")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "site-src")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    report = build(args.out, args.mathjax, args.workdir)
    print(f"site built in {time.perf_counter() - t0:.0f} s: {args.out}/index.html")
    print("frames and weight per lesson (the README's table; tests/test_site_build.py compares):")
    for rel, p in report["pages"].items():
        if layout.NUMBERED.match(rel.removeprefix("notebooks/")):  # the lessons: not the exercises, not the glossary
            print(
                f"| {rel} | {p['explorers']} | {p['frames']} | {p['page_bytes'] / 1e3:.0f} "
                f"| {p['frame_bytes'] / 1e6:.1f} |"
            )
    print(f"shared: {report['shared_bytes'] / 1e6:.1f} MB; whole site: {report['total_bytes'] / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
