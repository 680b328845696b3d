"""Build the course website from the notebooks' stored outputs (python website/build.py).

Pages: Sphinx with myst-nb reads every lesson and exercise notebook as it is stored (no
re-execution; nb_execution_mode is "off"). Explorers: each lesson with explorer outputs is
run once, headless, in a kernel (nbclient), so that after each explorer's cell its frames
can be rendered through the explorer's public API (frames.py, here); its notebook output
on the page becomes a small static control (website/static/frames.js) that switches them.
Nothing the build writes goes back into the notebooks. MathJax is copied from a local
file (--mathjax, fetched by make), so no page needs a network.

    python website/build.py --mathjax build/vendor/mathjax-3.2.2/tex-chtml.js --out build/site
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
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


def frame_alt(manifest, k):
    """Alt text of frame k: what the explorer shows, then its readout on one line (Explorer.alt;
    frames.js builds the same after every change)."""
    return f"{manifest['shows']} Now: {' '.join(manifest['texts'][k].split())}"


def control_html(manifest, src):
    """The static control for one explorer: its controls, the frame image and the readout.
    Each slider says its shown value to a screen reader (aria-valuetext = the label beside it,
    not the frame index), and the readout is a polite live region: it is read out after a change."""
    rows = []
    for j, c in enumerate(manifest["controls"]):
        name = html.escape(c["description"])
        if c["kind"] == "checkbox":
            checked = " checked" if c["index"] else ""
            rows.append(
                f'<label class="sgd-control">{name} <input type="checkbox" data-control="{j}"{checked}></label>'
            )
        else:
            label = html.escape(c["labels"][c["index"]])
            # the value is announced by the slider itself, so the label beside it is not live too
            rows.append(
                f'<label class="sgd-control">{name} <input type="range" min="0" max="{len(c["labels"]) - 1}" '
                f'step="1" value="{c["index"]}" data-control="{j}" aria-label="{name}" aria-valuetext="{label}"> '
                f'<output data-label="{j}" aria-live="off">{label}</output></label>'
            )
    k = 0
    for c in manifest["controls"]:
        k = k * len(c["labels"]) + c["index"]
    data = json.dumps({"shows": manifest["shows"], "controls": manifest["controls"], "texts": manifest["texts"]})
    data = data.replace("</", "<\\/")
    return (
        f'<div class="sgd-frames" data-frames="{src}">'
        f'<div class="sgd-controls">{"".join(rows)}</div>'
        f'<img class="sgd-frame" src="{src}{k:04d}.png" width="{manifest["width"]}" height="{manifest["height"]}" '
        f'alt="{html.escape(frame_alt(manifest, k))}">'
        f'<pre class="sgd-readout" role="status" aria-live="polite" aria-atomic="true">'
        f"{html.escape(manifest['texts'][k])}</pre>"
        f'<script type="application/json">{data}</script></div>'
    )


IMAGES = ("image/png", "image/jpeg", "image/svg+xml")


def figure_alts(cell):
    """[(output index, mime type, alt or None)] of the cell's static figures (not explorers); the
    alt is the one the output's metadata stores (sgdcourse.plots.show writes it there)."""
    found = []
    for j, out in enumerate(cell.get("outputs", [])):
        data = out.get("data", {})
        if VIEW in data:
            continue
        for mime in IMAGES:
            if mime in data:
                alt = out.get("metadata", {}).get(mime, {}).get("alt")
                found.append((j, mime, alt.strip() if isinstance(alt, str) and alt.strip() else None))
                break
    return found


def carry_alt(cell, figures_dir, figures_url):
    """Give the site's <img> of each static figure of the cell the alt its output stores.
    myst-nb takes an image's alt only from the cell's metadata (mystnb: image: alt), one for
    every image of the cell: a cell whose figures all have one alt gets it there; in a cell
    whose figures have different alts, each figure becomes an <img> of its own (its file
    written into figures_dir, at figures_url) with its alt. A figure without alt is left as is."""
    found = [f for f in figure_alts(cell) if f[2] is not None]
    if not found:
        return
    alts = {alt for _, _, alt in found}
    if len(alts) == 1 and len(found) == len(figure_alts(cell)):
        cell.metadata.setdefault("mystnb", {}).setdefault("image", {})["alt"] = alts.pop()
        return
    if figures_dir is None or figures_url is None:
        raise ValueError("figures_dir and figures_url are needed for a cell whose figures have different alts")
    for j, mime, alt in found:
        out = cell.outputs[j]
        body = out["data"][mime]
        raw = body.encode() if mime == "image/svg+xml" else base64.b64decode(body)
        name = f"{hashlib.sha256(raw).hexdigest()}.{mime.split('/')[1].split('+')[0]}"
        figures_dir.mkdir(parents=True, exist_ok=True)
        (figures_dir / name).write_bytes(raw)
        out["data"] = {
            "text/html": f'<img class="sgd-figure" src="{figures_url}{name}" alt="{html.escape(alt)}">',
            "text/plain": out["data"].get("text/plain", alt),
        }


def page_notebook(path, frames, static_url, figures_dir=None, figures_url=None):
    """The notebook as the site shows it: explorer outputs become static controls; no output
    keeps a widget view (no widget manager on the site); each static figure carries the alt its
    output stores (carry_alt; figures_dir and figures_url are where a cell with several alts
    puts its figures)."""
    nb = nbformat.read(path, as_version=4)
    for (i, j), (k, manifest) in frames.items():
        out = nb.cells[i].outputs[j]
        out["data"] = {
            "text/html": control_html(manifest, f"{static_url}{k}/"),
            "text/plain": out["data"]["text/plain"],
        }
    for cell in nb.cells:
        if cell.cell_type == "code":
            carry_alt(cell, figures_dir, figures_url)
        for out in cell.get("outputs", []):
            out.get("data", {}).pop(VIEW, None)
    nb.metadata.pop("widgets", None)
    return nb


def site_settings(conf=HERE / "conf.py"):
    """The site's settings as website/conf.py computes them (COURSE_REPOSITORY included, with its
    environment override): the one place that says where the course's repository is."""
    import runpy

    return runpy.run_path(str(conf))


def binder_url(rel, settings):
    """Binder's launch link for the notebook `rel` (a path in the repository): JupyterLab on it."""
    owner, name, branch = (settings[k] for k in ("REPOSITORY_OWNER", "REPOSITORY_NAME", "REPOSITORY_BRANCH"))
    return f"{settings['BINDER']}/v2/gh/{owner}/{name}/{branch}?urlpath=lab/tree/{rel}"


def landing_page(order, settings=None):
    """website/index.md with the repository filled in ({{ clone_url }}, {{ repository_name }},
    {{ binder_url }}: Binder on lesson 01), then the course's table of contents."""
    settings = site_settings() if settings is None else settings
    name = settings["REPOSITORY_NAME"]
    fills = {
        "clone_url": f"https://github.com/{settings['REPOSITORY_OWNER']}/{name}.git",
        "repository_name": name,
        "binder_url": binder_url(order[0], settings),
    }
    text = (HERE / "index.md").read_text()
    for key, value in fills.items():
        text = text.replace("{{ " + key + " }}", value)
    if "{{" in text:
        raise ValueError(f"website/index.md: unknown placeholder {re.search(r'{{.*?}}', text).group(0)}")
    toc = "\n".join(Path(p).with_suffix("").as_posix() for p in order)
    return text + f"\n```{{toctree}}\n:caption: The course\n:maxdepth: 1\n\n{toc}\n```\n"


def with_run_note(nb, rel, settings):
    """An exercise page as the site shows it: under its title, how to run it (the page shows the
    questions only; check(...) needs a kernel): download the notebook as stored, open it on
    Binder, or make lab in a clone. Only the site's copy gets the note, never the notebook."""
    first = nb.cells[0]
    if first.cell_type != "markdown" or not first.source.startswith("# "):
        raise ValueError(f"{rel}: the first cell is not the page's title (# ...)")
    download = f"../_sources/{rel}"
    note = (
        '<div class="sgd-run-note"><p><strong>To answer and check these exercises, run them:</strong> '
        f'<a href="{download}" download>download the notebook</a> ({Path(rel).name}) and open it in '
        f'JupyterLab, <a href="{html.escape(binder_url(rel, settings))}">launch it on Binder</a> (nothing to '
        "install; the session is temporary, so download your work before you leave), or clone the course and "
        'run <code>make lab</code> (see <a href="../index.html">the first page</a>).</p></div>'
    )
    title, _, rest = first.source.partition("\n")
    first.source = f"{title}\n\n{note}\n{rest}"
    return nb


def build(out, mathjax, workdir, log=print):
    src, out = Path(workdir), Path(out)
    for folder in (src, out):  # no page or frame of an earlier build survives
        if folder.exists():
            shutil.rmtree(folder)
    (src / "_static").mkdir(parents=True)
    shutil.copy(HERE / "conf.py", src / "conf.py")
    shutil.copytree(HERE / "_templates", src / "_templates")  # template overrides (conf.py says why)
    for f in (HERE / "static").iterdir():
        shutil.copy(f, src / "_static" / f.name)
    settings = site_settings()
    copy_mathjax(Path(mathjax), src / "_static" / settings["mathjax_path"])
    if settings["COURSE_REPOSITORY"] == settings["PLACEHOLDER_REPOSITORY"]:
        log("note: launch and clone links name the placeholder OWNER/REPO (no GitHub origin remote, no setting);")
        log("      set COURSE_REPOSITORY=owner/name@branch, or COURSE_REPOSITORY in website/conf.py")
    order = table_of_contents()
    (src / "index.md").write_text(landing_page(order, settings))
    report = {}
    for rel in order:
        path = ROOT / rel
        frames_dir = src / "_static" / "frames" / Path(rel).with_suffix("")
        frames = render_frames(path, frames_dir, log)
        static_url = f"../_static/frames/{Path(rel).with_suffix('').as_posix()}/"
        (src / rel).parent.mkdir(exist_ok=True)
        figures = f"_static/figures/{Path(rel).with_suffix('').as_posix()}"  # a cell's figures with several alts
        page = page_notebook(path, frames, static_url, src / figures, f"../{figures}/")
        if rel.startswith("exercises/"):
            page = with_run_note(page, rel, settings)
        nbformat.write(page, src / rel)
        report[rel] = {
            "explorers": len({k for k, _ in frames.values()}),
            "frames": sum(len(m["texts"]) for k, m in dict(frames.values()).items()),
        }
    doctrees = src / ".doctrees"  # Sphinx's cache stays out of the site
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-E", "-d", str(doctrees)]
        + [str(src), str(out)],
        check=True,
    )
    publish_sources(out, order)
    report = weigh(Path(out), report)
    (Path(out) / "site-report.json").write_text(json.dumps(report, indent=1))
    return report


def copy_mathjax(script, dest):
    """MathJax's component (e.g. tex-chtml.js) to dest, the path conf.py's mathjax_path names,
    with the folder output/ beside it if there is one (CommonHTML's fonts, loaded as needed)."""
    if script.name != dest.name:
        raise ValueError(f"--mathjax is {script.name}, but conf.py's mathjax_path names {dest.name}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(script, dest)
    if (script.parent / "output").is_dir():
        shutil.copytree(script.parent / "output", dest.parent / "output")


def publish_sources(out, order):
    """Each page's "download .ipynb" (the theme's link to _sources/<page>.ipynb) gets the notebook
    as stored in the repository, byte for byte, not the page's copy that Sphinx put there; and
    the files no page loads are left out of the site: source maps, and the theme's
    fontawesome.js (its script tag is gone: website/_templates/static/webpack-macros.html)."""
    for rel in order:
        shutil.copy(ROOT / rel, out / "_sources" / rel)
    for f in [*(out / "_static").rglob("*.map"), *(out / "_static" / "scripts").glob("fontawesome.js*")]:
        f.unlink(missing_ok=True)


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
    parser.add_argument("--mathjax", type=Path, required=True, help="MathJax 3 tex-chtml.js (fonts: output/)")
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
