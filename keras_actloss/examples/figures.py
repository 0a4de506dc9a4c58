"""The examples' figures, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

import numpy as np

from keras_actloss._optional import require


def _pyplot():
    matplotlib = require("matplotlib", "The examples' figures")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    _pyplot().close(fig)
    return path


def _curves(ax, history, metric, title):
    epochs = np.asarray(history.get("epoch", range(len(history.get(metric, []))))) + 1
    ax.plot(epochs, history.get(metric, []), label=f"training {metric}", linewidth=2)
    if f"val_{metric}" in history:
        ax.plot(epochs, history[f"val_{metric}"], label=f"validation {metric}", linewidth=2)
    ax.set(xlabel="epoch", ylabel=metric, title=title)
    ax.legend()
    ax.grid(True, alpha=0.3)


def training_and_boundary(model, history, x, y, path, loss_name, logits=False):
    """Three panels: loss curves, accuracy curves, and the decision boundary over `x`.

    The boundary panel shades the predicted probability (a sigmoid of the
    output when `logits`) and draws its 0.5 contour.
    """
    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.6))
    _curves(axes[0], history, "loss", f"Loss curves ({loss_name})")
    _curves(axes[1], history, "accuracy", "Accuracy curves")
    low, high = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], 300), np.linspace(low[1], high[1], 300))
    grid = np.c_[xx.ravel(), yy.ravel()].astype("float32")
    score = model.predict(grid, batch_size=8192, verbose=0).reshape(xx.shape).astype("float64")
    if logits:
        score = 1.0 / (1.0 + np.exp(-score))
    axes[2].contourf(xx, yy, score, levels=np.linspace(0, 1, 21), alpha=0.8, cmap="RdBu")
    axes[2].contour(xx, yy, score, levels=[0.5], colors="black", linewidths=1.5)
    axes[2].scatter(x[:, 0], x[:, 1], c=y.ravel(), cmap="RdBu", edgecolors="black", s=14)
    axes[2].set(
        title="Decision boundary",
        xlabel="feature 1 (standardised)",
        ylabel="feature 2 (standardised)",
    )
    return _save(fig, path)


def confusion(matrix, labels, path, title):
    """A confusion matrix with counts in the cells."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    image = ax.imshow(matrix, cmap="Blues")
    fig.colorbar(image, ax=ax)
    ax.set(
        xticks=range(len(labels)),
        yticks=range(len(labels)),
        xticklabels=labels,
        yticklabels=labels,
        xlabel="predicted",
        ylabel="true",
        title=title,
    )
    for (i, j), count in np.ndenumerate(matrix):
        colour = "white" if count > matrix.max() / 2 else "black"
        ax.text(j, i, str(count), ha="center", va="center", color=colour, fontsize=8)
    return _save(fig, path)


def bars(groups, values, path, title, ylabel):
    """Grouped bars: `values` is {series: [one value per group]}."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(max(6.4, 0.9 * len(groups) * len(values)), 4.4))
    width = 0.8 / len(values)
    for i, (series, numbers) in enumerate(values.items()):
        positions = np.arange(len(groups)) + (i - (len(values) - 1) / 2) * width
        ax.bar(positions, numbers, width, label=series)
    ax.set(xticks=range(len(groups)), xticklabels=groups, title=title, ylabel=ylabel)
    ax.legend()
    ax.grid(True, axis="y", alpha=0.3)
    return _save(fig, path)


def predictions(y_true, predicted, path, title):
    """Predicted against true values, one panel per model: {label: predictions}."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(predicted), figsize=(4.6 * len(predicted), 4.4), squeeze=False)
    low, high = float(np.min(y_true)), float(np.max(y_true))
    for ax, (label, values) in zip(axes[0], predicted.items(), strict=True):
        ax.scatter(y_true, values, s=8, alpha=0.6)
        ax.plot([low, high], [low, high], color="black", linewidth=1)
        ax.set(title=label, xlabel="true (clean test set)", ylabel="predicted")
        ax.grid(True, alpha=0.3)
    fig.suptitle(title)
    return _save(fig, path)


def trial_scores(tuner, ranked, path, title):
    """Each finished trial's score in the order the search ran them, coloured by head."""
    plt = _pyplot()
    objective = tuner.oracle.objective
    trials = sorted(ranked, key=lambda t: t.trial_id)
    heads = sorted({tuner.hyperparameters_of(t).get("head", "-") for t in trials})
    colours = plt.get_cmap("tab10")
    fig, ax = plt.subplots(figsize=(9, 4.6))
    for k, head in enumerate(heads):
        chosen = [
            (i, t)
            for i, t in enumerate(trials)
            if tuner.hyperparameters_of(t).get("head", "-") == head
        ]
        epochs = [len(tuner.history(t.trial_id).get("epoch", [])) or 1 for _, t in chosen]
        ax.scatter(
            [i + 1 for i, _ in chosen],
            [t.score for _, t in chosen],
            s=[14 + 6 * e for e in epochs],
            color=colours(k % 10),
            alpha=0.75,
            label=head,
        )
    best = ranked[0]
    ax.scatter(
        [trials.index(best) + 1],
        [best.score],
        marker="*",
        s=320,
        color="gold",
        edgecolors="black",
        zorder=3,
        label=f"best (trial {best.trial_id})",
    )
    ax.set(
        xlabel="trial (in the order run; marker size: epochs trained)",
        ylabel=objective.name,
        title=f"{title}: {len(trials)} trials",
    )
    ax.legend(fontsize=8, loc="best")
    ax.grid(True, alpha=0.3)
    return _save(fig, path)
