"""Figures in the paper's layout: one panel per quantity (minimum / median / maximum max-cosine
of Eq. 11, loss); in each panel the mean curve over runs with a band from the minimum to the
maximum over runs, one color per Pr(sparse) (or per model when there is a single condition), one
line style per model."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from .summaries import FIELD_LABELS, METRICS, groups

TWO_PANELS = ("min", "loss")
FOUR_PANELS = ("min", "median", "max", "loss")
YLABELS = {"min": "Minimum max-cosine", "median": "Median max-cosine",
           "max": "Maximum max-cosine", "loss": "Loss"}


def plot_curves(results: Mapping[str, Any], panels: Sequence[str] = TWO_PANELS,
                by: Sequence[str] | None = None, title: str | None = None, band: bool = True,
                models: Sequence[str] | None = None, panel_width: float = 4.2,
                panel_height: float = 3.2, marks: Sequence[Mapping[str, Any]] = (),
                faint: Sequence[str] = ()):
    """The paper's layout: one panel per quantity, mean over runs with a min-max band.

    ``results`` is ``{model label: TrainResult}``; ``panels`` any of ``min``, ``median``,
    ``max``, ``loss``; ``by`` the replica fields that define a condition (default: those that
    vary). Up to two panels sit side by side, four as 2 x 2 (so that tick labels stay legible at
    a page's width). Colors follow the condition (or the model, if there is one condition); line
    styles follow the model. ``title``: drawn above the panels (pages leave it out and caption
    the figure instead). ``marks``: the paper's values as stars, each ``{"panel", "x" (an epoch,
    or "start" / "end"), "y", "model" (None: not one model's), "cond" (a dict of condition
    values, or None)}``, in the colour of the curve they belong to (black otherwise).
    ``faint``: models drawn thinner and lighter (a reference a claim compares against).
    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    for p in panels:
        if p not in YLABELS:
            raise ValueError(f"unknown panel {p!r}; valid panels: {', '.join(YLABELS)}")
    labels = list(models or results)
    cols = 2 if len(panels) == 4 else len(panels)
    rows = -(-len(panels) // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(panel_width * cols, panel_height * rows),
                             squeeze=False, layout="constrained")
    axes = grid.ravel()[:len(panels)]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":", "-."]
    conds: list[tuple] = []
    for label in labels:
        for cond, _ in groups(results[label], by):
            if cond not in conds:
                conds.append(cond)
    single_cond = len(conds) <= 1
    curve_colors: dict[tuple[str, tuple], str] = {}
    last_epoch = max(int(np.asarray(results[label].epochs)[-1]) for label in labels)
    for mi, label in enumerate(labels):
        res = results[label]
        ep = np.asarray(res.epochs)
        for cond, idx in groups(res, by):
            ci = conds.index(cond)
            color = colors[(mi if single_cond else ci) % len(colors)]
            style = "-" if (single_cond or len(labels) == 1) else styles[mi % len(styles)]
            name = ", ".join(f"{FIELD_LABELS.get(k, k)} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                             for k, v in cond)
            curve_colors[(label, cond)] = color
            if len(labels) > 1 or not name:
                name = f"{label}, {name}" if name else label
            if label in faint:
                name += " (reference)"
            width, alpha = (0.9, 0.55) if label in faint else (1.4, 1.0)
            for ax, panel in zip(axes, panels):
                if panel == "loss":
                    y, x = res.loss[idx][:, 1:], ep[1:]
                else:
                    y, x = res.maxcos[idx][:, :, METRICS.index(panel)], ep
                if y.shape[1] == 0:
                    continue
                ax.plot(x, y.mean(0), color=color, linestyle=style, linewidth=width, alpha=alpha,
                        label=name if panel == panels[0] else None)
                if band and y.shape[0] > 1:
                    ax.fill_between(x, y.min(0), y.max(0), color=color, alpha=0.18, linewidth=0)
    for k, mark in enumerate(marks):
        if mark["panel"] not in panels:
            continue
        ax = axes[list(panels).index(mark["panel"])]
        x = {"start": 0, "end": last_epoch}.get(mark["x"], mark["x"])
        color = "black"
        for (label, cond), c in curve_colors.items():
            if label == mark.get("model") and all(dict(cond).get(f) == v for f, v in (mark.get("cond") or {}).items()):
                color = c
                break
        ax.plot([x], [mark["y"]], marker="*", markersize=11, color=color, markeredgecolor="black",
                markeredgewidth=0.6, linestyle="none", clip_on=False, zorder=5,
                label="the paper's value" if k == 0 and mark["panel"] == panels[0] else None)
    for ax, panel in zip(axes, panels):
        ax.set_xlabel("Epoch")
        ax.set_ylabel(YLABELS[panel])
        ax.grid(alpha=0.3)
        if panel != "loss":
            ax.set_ylim(0.0, 1.02)
    handles, names = axes[0].get_legend_handles_labels()
    if handles:
        # one legend column per model when there are several models and conditions
        ncol = len(labels) if (len(labels) > 1 and not single_cond) else min(len(names), 4)
        fig.legend(handles, names, loc="outside lower center", ncol=ncol, fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig
