"""The verb `report`: a gradebook into one self-contained HTML page of item analysis for the instructor.

    python -m sgdcourse.grading report GRADEBOOK [--out HTML]     (the command line: grading.cli)
    report.main(gradebook, out=None) -> the HTML path              the same from Python
    analyse(rows) -> [Item]                                        the numbers, without the page

For each problem of the gradebook (its rows: grading.gradebook.GRADES; error rows are left out):
  attempted       submissions whose answer was not left unanswered;
  share correct   submissions whose answer earned its points (correct, or a prediction recorded);
  mean score      the mean of score / points over the submissions;
  discrimination  the corrected item-total correlation: Pearson's r between the item's score and
                  the rest of the submission's total (its total less the item), over the submissions
                  of its exercise; None when either does not vary;
  slips           the gradebook's slip column counted (the name the checker gave an incorrect
                  answer), so no feedback text is parsed;
  variants        the share correct of each variant (the variant column: which candidate of the
                  problem's pool of numbers the learner had), and the variants flagged as markedly
                  harder than their siblings: share correct at least HARDER below the siblings'
                  pooled share, with a one-sided Fisher exact test p < ALPHA / (variants compared).
The page shows them as tables, with a plot of difficulty (share correct) against discrimination
inlined as a PNG data URI: no script, no style sheet or font, no request leaves the page.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .gradebook import GRADES, GradebookError, clean, read_rows

EARNS = ("correct", "recorded")
ALPHA, HARDER, MIN_VARIANT = 0.01, 0.25, 3  # a variant needs MIN_VARIANT submissions to be compared


ReportError = GradebookError  # what report raises for a file that is not a gradebook


@dataclass
class Item:
    """One problem's statistics (see the module docstring)."""

    problem: str
    points: float
    n: int
    attempted: int
    correct: int
    mean_score: float
    discrimination: float | None
    slips: Counter = field(default_factory=Counter)
    variants: dict = field(default_factory=dict)  # variant -> (correct, n)
    harder: list = field(default_factory=list)  # [(variant, share, siblings' share, p)]

    @property
    def share(self):
        return self.correct / self.n if self.n else 0.0


def read(path):
    """The gradebook's rows as dicts; ReportError for a file that is not one."""
    return [dict(zip(GRADES, row)) for row in read_rows(path, GRADES)]


def pearson(xs, ys):
    """Pearson's r of two equal-length sequences; None when either is constant."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def fisher_lower(a, n1, c, n):
    """One-sided Fisher exact p: the chance, with c successes among n drawn without regard to group,
    that a group of n1 gets a or fewer of them."""
    total = math.comb(n, n1)
    return sum(math.comb(c, k) * math.comb(n - c, n1 - k) for k in range(0, a + 1)) / total


def _harder(variants):
    """The variants markedly harder than their siblings: [(variant, share, siblings' share, p)]."""
    compared = {v: cn for v, cn in variants.items() if cn[1] >= MIN_VARIANT}
    if len(compared) < 2:
        return []
    c_all = sum(c for c, _ in compared.values())
    n_all = sum(n for _, n in compared.values())
    flagged = []
    for v, (c, n) in sorted(compared.items()):
        rest = (c_all - c) / (n_all - n)
        p = fisher_lower(c, n, c_all, n_all)
        if c / n <= rest - HARDER and p < ALPHA / len(compared):
            flagged.append((v, c / n, rest, p))
    return flagged


def analyse(rows):
    """[Item] per problem, in the gradebook's order, from its rows (error rows left out)."""
    graded = [r for r in rows if r["status"] != "error" and r["problem"]]
    order = list(dict.fromkeys(r["problem"] for r in graded))
    by_submission = defaultdict(dict)
    for r in graded:
        by_submission[r["submission"]][r["problem"]] = r
    items = []
    for pid in order:
        mine = [r for r in graded if r["problem"] == pid]
        points = float(mine[0]["points"] or 0) or 1.0
        scores = [float(r["score"]) for r in mine]
        rest = [sum(float(o["score"]) for q, o in by_submission[r["submission"]].items() if q != pid) for r in mine]
        variants = defaultdict(lambda: [0, 0])
        for r in mine:
            variants[r["variant"]][0] += r["status"] in EARNS
            variants[r["variant"]][1] += 1
        variants = {v: tuple(cn) for v, cn in variants.items()}
        items.append(
            Item(
                problem=pid,
                points=points,
                n=len(mine),
                attempted=sum(r["status"] != "unanswered" for r in mine),
                correct=sum(r["status"] in EARNS for r in mine),
                mean_score=sum(scores) / len(mine) / points,
                discrimination=pearson(scores, rest) if len(mine) > 2 else None,
                slips=Counter(r["slip"] for r in mine if r["slip"]),
                variants=variants,
                harder=_harder(variants),
            )
        )
    return items


def figure(items):
    """The plot of difficulty (share correct) against discrimination, as PNG bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6.4, 4.2), dpi=100)
    ax = fig.subplots()
    shown = [i for i in items if i.discrimination is not None]
    ax.scatter([i.share for i in shown], [i.discrimination for i in shown], color="#0969da")
    for i in shown:
        ax.annotate(i.problem, (i.share, i.discrimination), fontsize=7, xytext=(3, 3), textcoords="offset points")
    ax.axhline(0, color="#6e7781", linewidth=0.8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xlabel("share correct (difficulty: lower is harder)")
    ax.set_ylabel("discrimination (item-rest correlation)")
    ax.set_title("Each problem: how hard, and how well it separates the class")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _pct(x):
    return f"{100 * x:.0f}%"


def _r(x):
    return "n/a" if x is None else f"{x:.2f}"


def page(items, title):
    """The report's HTML text: tables and the inlined figure, nothing fetched."""
    e = html.escape
    head = (
        "<tr><th>problem</th><th>submissions</th><th>attempted</th><th>share correct</th>"
        "<th>mean score</th><th>discrimination</th></tr>"
    )
    rows = "".join(
        f"<tr><td><code>{e(i.problem)}</code></td><td>{i.n}</td><td>{i.attempted}</td><td>{_pct(i.share)}</td>"
        f"<td>{_pct(i.mean_score)}</td><td>{_r(i.discrimination)}</td></tr>"
        for i in items
    )
    slips = "".join(
        f"<tr><td><code>{e(i.problem)}</code></td><td><code>{e(name)}</code></td><td>{count}</td></tr>"
        for i in items
        for name, count in sorted(i.slips.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    flagged = "".join(
        f"<tr><td><code>{e(i.problem)}</code></td><td>{e(v)}</td><td>{_pct(share)} of {i.variants[v][1]}</td>"
        f"<td>{_pct(rest)}</td><td>{p:.1e}</td></tr>"
        for i in items
        for v, share, rest, p in i.harder
    )
    variants = "".join(
        f"<tr><td><code>{e(i.problem)}</code></td><td>"
        + ", ".join(f"{e(v)}: {c}/{n}" for v, (c, n) in sorted(i.variants.items(), key=lambda kv: (len(kv[0]), kv[0])))
        + "</td></tr>"
        for i in items
        if i.variants and set(i.variants) != {""}
    )
    png = base64.b64encode(figure(items)).decode("ascii")
    none = "<p>None.</p>"
    slips = f"<table><tr><th>problem</th><th>slip</th><th>answers</th></tr>{slips}</table>" if slips else none
    flagged = (
        f"<table><tr><th>problem</th><th>variant</th><th>share correct</th><th>siblings</th><th>p</th></tr>"
        f"{flagged}</table>"
        if flagged
        else none
    )
    header = "<tr><th>problem</th><th>variant: correct/submissions</th></tr>"
    variants = f"<table>{header}{variants}</table>" if variants else none
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }}
table {{ border-collapse: collapse; margin: 1rem 0; }}
th, td {{ border: 1px solid #d0d7de; padding: 0.25rem 0.6rem; text-align: left; }}
th {{ background: #f6f8fa; }}
</style></head>
<body>
<h1>{e(title)}</h1>
<p>{len(items)} problems. Share correct counts answers that earned their points; discrimination is the
correlation of a problem's score with the rest of the learner's total (n/a when either does not vary).</p>
<h2>Problems</h2>
<table>{head}{rows}</table>
<h2>Difficulty against discrimination</h2>
<img alt="Scatter plot: for each problem, its share correct against its discrimination"
 src="data:image/png;base64,{png}">
<h2>The slips the checker named</h2>
{slips}
<h2>Variants markedly harder than their siblings</h2>
<p>A variant is flagged when its share correct is at least {_pct(HARDER)} below that of its siblings
together and a one-sided Fisher exact test gives p &lt; {ALPHA:g} divided by the number of variants
compared (each with at least {MIN_VARIANT} submissions).</p>
{flagged}
<h2>Share correct per variant</h2>
{variants}
</body></html>
"""


def main(gradebook, out=None):
    """Write the report of the gradebook to out (default: the gradebook's path with .html); its path."""
    gradebook = Path(gradebook)
    items = analyse(read(gradebook))
    if not items:
        raise ReportError(f"{clean(gradebook)} holds no graded answer")
    out = Path(out) if out else gradebook.with_suffix(".html")
    out.write_text(page(items, f"Class report: {gradebook.name}"), encoding="utf-8")
    return out
