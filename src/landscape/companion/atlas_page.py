"""The Atlas pages: train (or load) a grid of :mod:`landscape.atlas`, draw its heat maps with the
seed spread, its boundary and the readings' points, and state the finding computed from it."""
from __future__ import annotations

import math
from typing import Any, Mapping

import numpy as np

from .. import atlas as A
from .. import budget, page_knobs
from ..cache import cached_train, find_cached
from . import page
from .parameters import jsonable

__all__ = ["AtlasPage", "sweep_command", "paper_params", "paper_cells", "FIGURES"]

#: The figures every Atlas page saves, as ``<page>-<stem>`` (the cite page lists them).
FIGURES = ("maps", "convergence")

#: Colour map of a minimum max-cosine (0 to 1) and of a difference (-1 to 1).
CMAP, DIFF_CMAP = "viridis", "RdBu"
#: Font size of a cell's numbers; panels are sized (:func:`_panel_width`) so that it stays at
#: least 10 px tall on a page that shows the figure 800 px wide.
CELL_PT = 9


def _panel_width(columns: int) -> float:
    """Inches of one heat-map panel with ``columns`` cells (labels and colour bar included)."""
    return 0.8 * columns + 3.2


def _format_values(values: list[float]) -> str:
    """``[v1],[v2],...`` with every value exact (a rounded value would be another grid point,
    with other cache keys than the page's)."""
    return ",".join(f"[{float(v)!r}]" for v in values)


def sweep_command(name: str, x_param: str, values: list[float], profile: str = "paper", workers: int = 2) -> str:
    """The ``landscape sweep`` that trains the grid column by column (one point per column)."""
    if int(workers) < 1:
        raise ValueError(f"workers must be >= 1, got {workers!r}")
    return (f"landscape sweep {name} --profile {profile} -p {x_param} {_format_values(values)} "
            f"-p train_missing True --workers {int(workers)}")


def paper_params(name: str) -> dict[str, Any]:
    """The page's parameters at paper scale with its notebook's defaults (the shipped grid)."""
    from .parameters import resolve

    values = {k: v for k, v in resolve(name, "paper", {}).items() if k not in ("profile", "device")}
    return page_knobs.get(name).resolved("paper", values)


def paper_cells(name: str) -> list[list[Any]]:
    """Every batched call of the page's paper-scale grid: each (point, model) and, where the
    stored training was still moving, its longer trainings (:func:`landscape.atlas.cell_chain`)
    up to the first one not stored."""
    params = paper_params(name)
    return [c for *_, cfgs in A.cells(A.get(name), params, "paper")
            for c, _ in A.cell_chain(cfgs, params["extend"], find_cached)]


class AtlasPage:
    """One atlas page: its resolved parameters, the grid's results and their summary."""

    missing = 0          # trainings not stored yet (after :meth:`train`)
    unfinished = 0       # of those, longer trainings of cells still moving

    def __init__(self, name: str, profile: str, namespace: Mapping[str, Any], device: str = "auto") -> None:
        self.name, self.profile, self.device = name, profile, device
        self.atlas = A.get(name)
        knobs = page_knobs.get(name)
        values = {}
        for key, knob in knobs.knobs.items():
            value = namespace.get(key)
            values[key] = None if value is None else knob.check(value)
        self.params = knobs.resolved(profile, values)
        knobs.validate(profile, self.params)
        self.results: dict[tuple[str, int, int], Any] = {}
        self.rows = [label for label, _ in self.atlas.rows(self.params)]
        self.xs = [float(x) for x in self.params[self.atlas.x_param]]
        self.summary: A.GridSummary | None = None

    @property
    def theorem3_columns(self) -> list[int]:
        """Warm atlas: the columns at least as close as Theorem 3's page's warm start."""
        c = A.theorem3_c(int(self.params["d"]))
        return [j for j, x in enumerate(self.xs) if x >= c]

    # ------------------------------------------------------------------ training
    def train(self) -> None:
        """Load every stored grid point; train the missing ones when ``train_missing`` (smoke by
        default; at paper scale `landscape sweep` trains them, see the re-run box)."""
        missing = []
        self.unfinished = 0
        for model, i, j, cfgs in A.cells(self.atlas, self.params, self.profile):
            where = f"{model} at {self.rows[i]}, {self.atlas.x_param[:-1]}={self.xs[j]:.3g}"
            asked: list[list[Any]] = []      # the chain's shorter trainings: a longer one continues the last

            def get(c: list[Any]) -> Any:
                found = find_cached(c, device=self.device)
                if found is None and self.params["train_missing"]:
                    found = cached_train(c, device=self.device, progress=f"{where}, {c[0].epochs} epochs",
                                         keep_state=True, start_from=asked[-1] if asked else None)
                asked.append(c)
                return found

            chain = A.cell_chain(cfgs, self.params["extend"], get)
            if chain[-1][1] is None:
                missing.append(chain[-1][0])
                self.unfinished += len(chain) > 1
            self.results[(model, i, j)] = [res for _, res in chain if res is not None]
        self.missing = len(missing)
        self.missing_estimate = budget.total(missing) if missing else None
        self.summary = A.grid_summary(self.atlas, self.params, self.results)

    # ------------------------------------------------------------------ figures
    def _outline(self, ax: Any, i: int, j: int, text: str, ncols: int = 1) -> None:
        """A cell (or ``ncols`` cells from column ``j``) outlined in black and white, ``text`` in
        its upper-left corner."""
        import matplotlib.patches as mpatches

        for colour, width in (("k", 4.0), ("w", 1.8)):
            ax.add_patch(mpatches.Rectangle((j - 0.47, i - 0.47), ncols - 0.06, 0.94, fill=False, ec=colour,
                                            lw=width, ls="-" if colour == "k" else "--"))
        ax.text(j - 0.43, i + 0.43, text, ha="left", va="top", fontsize=8, fontweight="bold",
                bbox=dict(boxstyle="round,pad=0.15", fc="w", ec="none", alpha=0.85))

    def _marks(self, ax: Any, model: str) -> None:
        """The text's and the code's readings (noise atlas), Theorem 3's setting (warm atlas)."""
        if self.name == "atlas-noise" and model in ("CL", "NCL"):
            for key, (i, j) in self.reading_cells(model).items():
                self._outline(ax, i, j, f"{key}'s reading")
        if self.name == "atlas-warm" and model == "NCL":
            cols = self.theorem3_columns
            if cols:
                self._outline(ax, 1, cols[0], "Theorem 3", ncols=len(cols))

    def reading_cells(self, model: str) -> dict[str, tuple[int, int]]:
        """Noise atlas: the (row, column) of the text's reading (its noise, Eq. 3 masks keeping
        0.5) and of the code's (its noise; for CL its dependent masks, for NCL the independent
        masks of its non-contrastive script), where the grid has them."""
        pts = A.reading_points()
        rows = self.atlas.rows(self.params)
        out = {}
        for key in ("text", "code"):
            want = "dependent" if key == "code" and model == "CL" else "independent"
            i = [k for k, (_, r) in enumerate(rows) if r["augmentation"] == want
                 and (want == "dependent" or r["masking_prob"] == 0.5)]
            j = [k for k, x in enumerate(self.xs) if abs(x - pts[key]) < 1e-9]
            if i and j:
                out[key] = (i[0], j[0])
        return out

    def _heat(self, ax: Any, values: np.ndarray, std: np.ndarray, *, diff: bool = False,
              se: np.ndarray | None = None) -> Any:
        import matplotlib.pyplot as plt

        im = ax.imshow(values, cmap=DIFF_CMAP if diff else CMAP, vmin=-1 if diff else 0, vmax=1,
                       aspect="auto", origin="lower")
        im.cmap.set_bad("0.85")
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                v = values[i, j]
                if np.isnan(v):
                    ax.text(j, i, "not\ntrained", ha="center", va="center", fontsize=CELL_PT, color="0.3")
                    continue
                unclear = se is not None and not A.clear(np.array(v), np.array(se[i, j]))
                text = f"{v:+.2f}" if diff else f"{v:.2f}"
                text += f"\n±{std[i, j]:.2f}" if not diff else ("\n(≈0)" if unclear else "")
                dark = (abs(v) > 0.6) if diff else (v < 0.55)
                ax.text(j, i, text, ha="center", va="center", fontsize=CELL_PT,
                        color="w" if dark else "k", style="italic" if unclear else "normal")
        level = 0.0 if diff else A.LEVEL      # the boundary: between neighbours on either side of it
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                for di, dj in ((0, 1), (1, 0)):
                    if i + di < values.shape[0] and j + dj < values.shape[1]:
                        a, b = values[i, j], values[i + di, j + dj]
                        if not (np.isnan(a) or np.isnan(b)) and (a >= level) != (b >= level):
                            xs = [j + 0.5, j + 0.5] if dj else [j - 0.5, j + 0.5]
                            ys = [i - 0.5, i + 0.5] if dj else [i + 0.5, i + 0.5]
                            ax.plot(xs, ys, color="k" if diff else "w", lw=3, solid_capstyle="butt")
        ax.set_xticks(range(len(self.xs)), [f"{x:.3g}" for x in self.xs], rotation=45 if len(self.xs) > 5 else 0)
        ax.set_yticks(range(len(self.rows)), self.rows)
        ax.set_xlabel(self.atlas.x_label)
        plt.setp(ax.get_yticklabels(), fontsize=9)
        return im

    def heatmaps(self, caption: str) -> None:
        """One heat map per model of the final minimum max-cosine (mean, ± std over runs, the
        level-0.8 contour), then CL - NCL where the atlas has both (cells within 2 standard
        errors in italics, "≈0"; the zero contour)."""
        import matplotlib.pyplot as plt

        s = self.summary
        labels = self.atlas.labels
        final = "final min max-cosine"
        panels = [(m, s.mean[m], s.std[m], False, None, final) for m in labels]
        if "CL" in labels:
            panels.append(("CL − NCL", s.diff("CL", "NCL"), None, True, s.diff_se("CL", "NCL"),
                           f"CL − NCL, {final}"))
        if self.name == "atlas-warm":     # Sec. 5.2.3's claims are about the rise from a warm start
            panels += [(f"{m}: final − start", s.rise[m], None, True, s.rise_se(m),
                        "change of min max-cosine from the start") for m in labels]
        width = _panel_width(len(self.xs))     # side by side only while the page shows them large enough
        ncols = 2 if len(panels) > 1 and 2 * width <= 2 * _panel_width(4) else 1
        nrows = math.ceil(len(panels) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * width, nrows * (0.6 * len(self.rows) + 2.2)),
                                 layout="constrained", squeeze=False)
        for ax, (label, vals, std, diff, se, bar) in zip(axes.flat, panels):
            im = self._heat(ax, vals, std if std is not None else np.zeros_like(vals), diff=diff, se=se)
            self._marks(ax, label)
            ax.set_title(label, fontsize=11)
            fig.colorbar(im, ax=ax, shrink=0.85, label=bar)
        for ax in list(axes.flat)[len(panels):]:
            ax.remove()
        page.save_figure(fig, f"{self.name}-{FIGURES[0]}", jsonable(self.params), caption,
                         label=f"{self.atlas.title} (companion, {self.profile} profile)")

    def convergence(self, caption: str) -> None:
        """How far the mean minimum max-cosine moved over the last quarter of training, per cell
        (shade: the size of the change; text: the change with its sign, red where it exceeds
        :data:`landscape.atlas.FLAT_TOL`)."""
        import matplotlib.pyplot as plt

        s = self.summary
        labels = self.atlas.labels
        width = _panel_width(len(self.xs))
        ncols = 2 if len(labels) > 1 and 2 * width <= 2 * _panel_width(4) else 1
        nrows = math.ceil(len(labels) / ncols)
        fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * width, nrows * (0.5 * len(self.rows) + 2.0)),
                                 layout="constrained", squeeze=False)
        for ax, m in zip(axes.flat, labels):
            moved = s.moved[m]
            size = np.abs(moved)
            im = ax.imshow(size, cmap="Greys", vmin=0, vmax=max(0.1, float(np.nanmax(size)) if np.any(~np.isnan(size)) else 0.1),
                           aspect="auto", origin="lower")
            factors = self._factor(m)
            for i in range(moved.shape[0]):
                for j in range(moved.shape[1]):
                    if not np.isnan(moved[i, j]):
                        # three decimals: a red -0.024 and a blue -0.018 must not both read "-0.02"
                        text = f"{moved[i, j]:+.3f}" if size[i, j] >= 0.0005 else "0.000"   # no "-0.000"
                        text += f"\n×{factors[i, j]:g}" if factors[i, j] > 1 else ""
                        ax.text(j, i, text, ha="center", va="center", fontsize=CELL_PT,
                                color="r" if size[i, j] > A.FLAT_TOL else "C0")
            ax.set_xticks(range(len(self.xs)), [f"{x:.3g}" for x in self.xs], rotation=45 if len(self.xs) > 5 else 0,
                          fontsize=8)
            ax.set_yticks(range(len(self.rows)), self.rows, fontsize=9)
            ax.set_title(m, fontsize=10)
            ax.set_xlabel(self.atlas.x_label, fontsize=9)
        for ax in list(axes.flat)[len(labels):]:
            ax.remove()
        fig.colorbar(im, ax=list(axes.flat)[:len(labels)], shrink=0.85, label="|change| over the last quarter (text: signed)")
        page.save_figure(fig, f"{self.name}-{FIGURES[1]}", jsonable(self.params), caption,
                         label=f"{self.atlas.title}, convergence (companion, {self.profile} profile)")

    # ------------------------------------------------------------------ numbers and words
    def numbers(self) -> dict[str, Any]:
        """Key numbers: per model the grid's mean, minimum and maximum cell, the cells above the
        level, the largest movement over the last quarter; the cells trained and those flat at the
        end of their training (wall times are in
        the re-run box, not here: they are no result)."""
        s = self.summary
        out: dict[str, Any] = {"level": A.LEVEL, "cells_trained": s.trained, "cells_total": s.total,
                               "cells_flat": int(sum(np.sum(np.abs(s.moved[m]) <= A.FLAT_TOL) for m in s.moved))}
        for m in self.atlas.labels:
            key = self._key(m)
            v = s.mean[m]
            some = not np.all(np.isnan(v))          # every key is there, NaN while nothing is stored
            out[f"{key}_mean"] = float(np.nanmean(v)) if some else math.nan
            out[f"{key}_lowest"] = float(np.nanmin(v)) if some else math.nan
            out[f"{key}_highest"] = float(np.nanmax(v)) if some else math.nan
            out[f"{key}_above"] = int(np.nansum(v >= A.LEVEL))
            out[f"{key}_moved_max"] = float(np.nanmax(np.abs(s.moved[m]))) if some else math.nan
        if self.name == "atlas-warm":
            for m in self.atlas.labels:
                key = self._key(m)
                r, se = s.rise[m], s.rise_se(m)
                ok = ~np.isnan(r)
                out[f"{key}_rises"] = int(np.sum(ok & A.clear(r, se) & (r > 0)))
                out[f"{key}_falls"] = int(np.sum(ok & A.clear(r, se) & (r < 0)))
                if ok.any():
                    out[f"{key}_rise_max"] = float(np.nanmax(r))
            cols = self.theorem3_columns
            rise = s.rise["NCL"][1, cols] if cols else np.array([])
            out["ncl_theorem3_rise"] = float(np.mean(rise)) if rise.size and not np.isnan(rise).all() else math.nan
        if "CL" in self.atlas.labels:
            d, se = s.diff("CL", "NCL"), s.diff_se("CL", "NCL")
            ok = ~np.isnan(d)
            out["cl_clearly_above"] = int(np.sum(ok & A.clear(d, se) & (d > 0)))
            out["ncl_clearly_above"] = int(np.sum(ok & A.clear(d, se) & (d < 0)))
            out["diff_inconclusive"] = int(np.sum(ok & ~A.clear(d, se)))
        for m in self.atlas.labels:
            for key, (i, j) in (self.reading_cells(m) if self.name == "atlas-noise" else {}).items():
                if not np.isnan(s.mean[m][i, j]):
                    out[f"{m.lower()}_at_{key}"] = float(s.mean[m][i, j])
        return out

    def _factor(self, model: str) -> np.ndarray:
        """Per cell, the epochs of the training shown over the model's first length (NaN: none)."""
        return self.summary.epochs[model] / A.base_epochs(self.atlas, self.params, model)

    @staticmethod
    def _key(model: str) -> str:
        return model.lower().replace(" + ", "_").replace(", ", "_").replace(" ", "_")

    def flat_sentence(self) -> str:
        s = self.summary
        parts = []
        for m in self.atlas.labels:
            moved = s.moved[m]
            if np.all(np.isnan(moved)):
                continue
            n = int(np.sum(~np.isnan(moved)))
            flat = int(np.sum(np.abs(moved) <= A.FLAT_TOL))
            rising, falling = int(np.sum(moved > A.FLAT_TOL)), int(np.sum(moved < -A.FLAT_TOL))
            largest = float(moved.flat[np.nanargmax(np.abs(moved))])
            factors = self._factor(m)
            longer = ", ".join(f"{int(np.sum(factors == f))} at ×{f:g}" for f in sorted(set(factors[factors > 1])))
            if longer:
                change = (s.mean[m] - s.first[m])[factors > 1]
                longer += (f", which moved their final value from the first training's by up to "
                           f"{float(change[np.argmax(np.abs(change))]):+.3f}")
            parts.append(f"{m}: {flat} of {n} cells flat, {rising} still rising, {falling} still falling "
                         f"(largest change {largest:+.3f})" + (f"; trained longer: {longer}" if longer else ""))
        cap = int(self.params["extend"])
        capped = {m: (np.abs(s.moved[m]) > A.FLAT_TOL) & (self._factor(m) >= cap) for m in self.atlas.labels}
        at_cap = sum(int(c.sum()) for c in capped.values())
        tail = (f" A cell still moving is trained again at up to {cap} times its epochs"
                + (f"; {at_cap} still moving at ×{cap} {'is' if at_cap == 1 else 'are'} shown as "
                   f"{'it is' if at_cap == 1 else 'they are'}" if at_cap else "") + "." if cap > 1 else "")
        if at_cap and cap > 1:
            tail += self._capped_sentence(capped, cap)
        if s.repeats:
            median_std = float(np.nanmedian(np.concatenate([s.std[m].ravel() for m in self.atlas.labels])))
            tail += (f" Over their shared epochs the longer trainings repeat the shorter ones bit for bit in "
                     f"{s.repeats_exact} of {s.repeats} cases" + (
                         f"; the others differ by at most {s.repeat_max:.1e} in any max-cosine (the seed spread "
                         f"of a cell's final value is {median_std:.2f} at the median)" if s.repeat_max > 0 else "")
                     + ".")
        if self.unfinished:
            tail += (f" {self.unfinished} cells still moving have their longer training not stored yet: they "
                     "are shown at the length stored.")
        return (f"Over the last quarter of training (flat: the mean moved by at most {A.FLAT_TOL:g}): "
                + "; ".join(parts) + "." + tail)

    def _capped_sentence(self, capped: Mapping[str, np.ndarray], cap: int) -> str:
        """How far the cells still moving at the cap move per doubling of their epochs (median
        size of the change over the last doubling and over the one before), and on which side of
        where training is taking them the map shows them."""
        s = self.summary
        pick = lambda field: np.concatenate([getattr(s, field)[m][c] for m, c in capped.items()])  # noqa: E731
        a, b = float(np.median(np.abs(pick("doubled")))), float(np.median(np.abs(pick("doubled_before"))))
        pace = "not slowing" if a >= 0.8 * b else "slowing"
        moved = pick("moved")
        sides = [f"{n} still {way} {'is' if n == 1 else 'are'} shown {side} where training is taking "
                 f"{'it' if n == 1 else 'them'}" for n, way, side in
                 ((int(np.sum(moved < 0)), "falling", "above"), (int(np.sum(moved > 0)), "rising", "below")) if n]
        if len(moved) == 1:
            return (f" Over its last doubling of the epochs (×{cap // 2} to ×{cap}) it moved by {a:.3f}, against "
                    f"{b:.3f} over the doubling before ({pace}): it has not settled, and is shown "
                    f"{'above' if moved[0] < 0 else 'below'} where training is taking it.")
        return (f" Over their last doubling of the epochs (×{cap // 2} to ×{cap}) these moved by {a:.3f} at the "
                f"median, against {b:.3f} over the doubling before ({pace}): they have not settled, and "
                + " and ".join(sides) + ".")

    def moving_sentence(self) -> str:
        """Of the cells where CL and NCL clearly differ, those where either model was still
        moving at the end, and whether its movement widens or narrows the difference (empty
        when none is moving)."""
        s = self.summary
        d, se = s.diff("CL", "NCL"), s.diff_se("CL", "NCL")
        clear = ~np.isnan(d) & A.clear(d, se)
        moving = clear & ((np.abs(s.moved["CL"]) > A.FLAT_TOL) | (np.abs(s.moved["NCL"]) > A.FLAT_TOL))
        k = int(moving.sum())
        if not k:
            return ""
        trend = (s.moved["CL"] - s.moved["NCL"]) * d
        widens, narrows = int(np.sum(moving & (trend > 0))), int(np.sum(moving & (trend < 0)))
        same = f", and leaves it as it was in {k - widens - narrows}" if k > widens + narrows else ""
        return (f" In {k} of the {int(clear.sum())} clear cells a model was still moving at the end of "
                f"training; its movement over the last quarter widens the difference in {widens} of them "
                f"and narrows it in {narrows}{same}.")

    def finding(self) -> str:
        """The page's finding, in words computed from the grid."""
        s = self.summary
        if s.trained == 0:
            cost = (f", which takes {budget.describe(self.missing_estimate)}" if self.missing_estimate is not None
                    else "")
            return (f"Not trained yet at these settings: none of the {s.total} (point, model) cells is stored. "
                    f"The sweep in the re-run box trains them{cost}; this page then draws them without "
                    "retraining.")
        nb = self.numbers()
        bullets = []
        if self.name == "atlas-warm":     # the page's question: does training raise it?
            bullets.append(self._rise_text(nb))
        for m in self.atlas.labels:
            v = s.mean[m]
            if np.all(np.isnan(v)):
                continue
            above = int(np.nansum(v >= A.LEVEL))
            n = int(np.sum(~np.isnan(v)))
            bullets.append(f"**{m}** recovers the dictionary (final minimum max-cosine ≥ {A.LEVEL:g}) in "
                           f"{above} of {n} cells (lowest {np.nanmin(v):.2f}, highest {np.nanmax(v):.2f}); "
                           + "; ".join(A.boundary_text(self.atlas, self.params, s, m)) + ".")
        if "CL" in self.atlas.labels:
            bullets.append(f"CL is clearly above NCL (by more than 2 standard errors of the difference and more "
                           f"than {A.MIN_EFFECT:g}) in {nb['cl_clearly_above']} cells, clearly below in "
                           f"{nb['ncl_clearly_above']}, and inconclusive in {nb['diff_inconclusive']}."
                           + self.moving_sentence())
        if s.trained < s.total:
            bullets.append(f"Only {s.trained} of {s.total} (point, model) cells are stored; the others are drawn "
                           "grey and left out of every count.")
        bullets.append(self.flat_sentence())
        text = "\n".join(f"- {b}" for b in bullets)
        if self.profile == "smoke":
            text += "\n\n(Smoke profile: a pipeline check at toy scale, not a finding.)"
        return text

    def sweep_record(self) -> dict[str, Any] | None:
        """The record of the sweep that trained the shipped grid (``scripts/paper_run.py --atlas``)."""
        from ..fileio import read_json
        from . import REPO_ROOT

        path = REPO_ROOT / "results" / "atlas" / f"{self.name}-sweep.json"
        record = read_json(path) if path.exists() else None
        return record if isinstance(record, dict) else None

    def publish(self) -> None:
        """Glue the finding (``finding``: the admonition at the page's top; ``finding_text``: the
        paragraph) and show the re-run box."""
        text = self.finding()
        page.glue("finding", page._markdown_bundle(
            ":::{admonition} Finding (ours, not the paper's)\n:class: tip finding\n" + text + "\n:::"))
        page.glue("finding_text", page._markdown_bundle(text))
        page._markdown(self.rerun())

    def _rise_text(self, nb: Mapping[str, Any]) -> str:
        """Warm atlas: in how many cells training clearly raises or lowers the minimum
        max-cosine from the warm start (``nb``: :meth:`numbers`), and what it does in Theorem 3's
        setting."""
        s = self.summary
        parts = []
        for m in self.atlas.labels:
            k = self._key(m)
            n = int(np.sum(~np.isnan(s.rise[m])))
            if n:
                parts.append(f"From its warm start, **{m}** clearly rises in {nb[k + '_rises']} of {n} cells and "
                             f"clearly falls in {nb[k + '_falls']} (clearly: by more than 2 standard errors over the "
                             f"runs and more than {A.MIN_EFFECT:g}).")
        c = A.theorem3_c(int(self.params["d"]))
        cells = self.theorem3_columns
        if cells and not np.isnan(s.rise["NCL"][1, cells]).all():
            r = s.rise["NCL"][1, cells]
            parts.append(f"In Theorem 3's setting (rows normalised, no predictor, c ≥ {c:.2f}) the change from "
                         f"the start is {', '.join(f'{v:+.3f}' for v in r)}.")
        elif not cells:
            parts.append(f"The grid stops short of Theorem 3's warm start (c ≥ {c:.2f}): add columns to "
                         "`warm_cs` to reach it.")
        return " ".join(parts)

    def rerun(self) -> str:
        """The re-run box: the sweep that trains the paper-scale grid, and the page command."""
        cmd = sweep_command(self.name, self.atlas.x_param, self.xs if self.profile == "paper"
                            else page_knobs.get(self.name).profile_values[self.atlas.x_param][1])
        s = self.summary
        cost = (f"the {s.trained} stored cells shown here trained in {s.wall_s / 60:.1f} min, the sum of "
                f"their own wall times, longer trainings of cells still moving included"
                if s.trained else "nothing is stored yet")
        extra = (f" The {self.missing} trainings not stored yet would take {budget.describe(self.missing_estimate)}."
                 if self.missing_estimate is not None else "")
        record = self.sweep_record()
        if record and self.profile == "paper":
            cluster = record.get("cluster") or {}
            workers = cluster.get("local_workers") if isinstance(cluster, dict) else None
            workers = f"{workers} worker{'s' if workers != 1 else ''}" if workers else "? workers"
            extra += (f" The last run of that sweep took {float(record.get('wall_time_s', 0)) / 60:.1f} min of wall "
                      f"time ({record.get('start', '?')} to {record.get('end', '?')}, {workers}, "
                      f"on {record.get('trained_on', 'this project machine')}; points already stored are skipped), "
                      f"recorded in `results/atlas/{self.name}-sweep.json`.")
            if record.get("wall_note"):
                extra += f" {record['wall_note']}"
        return "\n".join([
            ":::{admonition} Re-run or extend this map", ":class: dropdown rerun", "",
            f"- Train the paper-scale grid on Dask, one point per column (`--scheduler ADDRESS` for a real "
            f"cluster): `{cmd}` ({cost}.{extra})",
            f"- Then draw it: `landscape run {self.name} --profile paper` (loads what is stored, trains nothing).",
            f"- Extend a grid: add values to `-p {self.atlas.x_param}` in both commands; every other parameter: "
            f"`landscape list {self.name}`.",
            f"- A pipeline check in seconds: `landscape run {self.name}`.",
            ":::"])
