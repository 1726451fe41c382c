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
                models: Sequence[str] | None = None, panel_width: float = 3.6,
                panel_height: float = 3.0):
    """The paper's layout: one panel per quantity, mean over runs with a min-max band.

    ``results`` is ``{model label: TrainResult}``; ``panels`` any of ``min``, ``median``,
    ``max``, ``loss``; ``by`` the replica fields that define a condition (default: those that
    vary). Colors follow the condition (or the model, if there is one condition); line styles
    follow the model. Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    for p in panels:
        if p not in YLABELS:
            raise ValueError(f"unknown panel {p!r}; valid panels: {', '.join(YLABELS)}")
    labels = list(models or results)
    fig, axes = plt.subplots(1, len(panels), figsize=(panel_width * len(panels), panel_height),
                             squeeze=False, layout="constrained")
    axes = axes[0]
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    styles = ["-", "--", ":", "-."]
    conds: list[tuple] = []
    for label in labels:
        for cond, _ in groups(results[label], by):
            if cond not in conds:
                conds.append(cond)
    single_cond = len(conds) <= 1
    for mi, label in enumerate(labels):
        res = results[label]
        ep = np.asarray(res.epochs)
        for cond, idx in groups(res, by):
            ci = conds.index(cond)
            color = colors[(mi if single_cond else ci) % len(colors)]
            style = "-" if (single_cond or len(labels) == 1) else styles[mi % len(styles)]
            name = ", ".join(f"{FIELD_LABELS.get(k, k)} = {v:g}" if isinstance(v, float) else f"{k} = {v}"
                             for k, v in cond)
            if len(labels) > 1 or not name:
                name = f"{label}, {name}" if name else label
            for ax, panel in zip(axes, panels):
                if panel == "loss":
                    y, x = res.loss[idx][:, 1:], ep[1:]
                else:
                    y, x = res.maxcos[idx][:, :, METRICS.index(panel)], ep
                if y.shape[1] == 0:
                    continue
                ax.plot(x, y.mean(0), color=color, linestyle=style, linewidth=1.4,
                        label=name if panel == panels[0] else None)
                if band and y.shape[0] > 1:
                    ax.fill_between(x, y.min(0), y.max(0), color=color, alpha=0.18, linewidth=0)
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
