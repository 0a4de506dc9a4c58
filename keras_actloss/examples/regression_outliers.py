"""Regression with outliers: a Linear output trained with MSE, MAE and Huber, side by side.

"Activation Functions and Loss Functions: The Engines of Neural Network
Learning" (MHTECHIN, 2026) says mean squared error is sensitive to outliers
and that Huber and mean absolute error resist them. This example measures
it: `make_regression` (2000 samples, 8 features, targets scaled to unit
spread), where 10 % of the training targets are shifted up by 8 to 15 (the
outliers), while the validation and test targets stay clean. The same
network (two hidden ReLU layers, a Linear output) is trained with each loss,
and each is scored on the clean test set: RMSE, MAE and the mean error (the
bias the outliers pulled in). A table and a figure compare them.
"""

from __future__ import annotations

import keras
import numpy as np

from keras_actloss import layers, losses
from keras_actloss.examples import figures
from keras_actloss.examples.runner import Example, Trained, fit_plain, main, mlp, split

OUTLIER_FRACTION = 0.10
LOSSES = {
    "MSE": losses.MeanSquaredError,
    "MAE": losses.MeanAbsoluteError,
    "Huber": losses.Huber,
}


def load(seed):
    from sklearn.datasets import make_regression

    x, y = make_regression(
        n_samples=2000, n_features=8, n_informative=8, noise=5.0, random_state=42
    )
    y = ((y - y.mean()) / y.std()).reshape(-1, 1).astype("float32")
    splits = split(x, y, scale=True)
    rng = np.random.default_rng(42)
    train = len(splits.y_train)
    hit = rng.choice(train, int(OUTLIER_FRACTION * train), replace=False)
    splits.y_train = splits.y_train.copy()
    splits.y_train[hit] += rng.uniform(8.0, 15.0, size=(len(hit), 1)).astype("float32")
    splits.info["outliers"] = len(hit)
    return splits


def build_model(loss):
    """8 features -> 64 -> 32 (ReLU) -> 1 (Linear)."""
    model = mlp(8, (64, 32), 1, layers.Linear(name="output_activation"), "regressor")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=loss)
    return model


def train(splits, args):
    trained = []
    for label, loss in LOSSES.items():
        print(f"Training 64-32 ReLU -> Linear with {label}:")
        keras.utils.set_random_seed(args.seed)  # the same initial weights for each loss
        model = build_model(loss())
        history = fit_plain(model, splits, args, EXAMPLE, batch_size=32)
        trained.append(Trained(label, model, history))
    return trained


def report(splits, trained, out):
    y = splits.y_test.ravel()
    print(
        f"\n{splits.info['outliers']} of {len(splits.y_train)} training targets are outliers; "
        "scores on the clean test set:"
    )
    print(f"{'loss':<12} {'RMSE':>7} {'MAE':>7} {'mean error':>11}")
    numbers, predicted = {}, {}
    for item in trained:
        guess = item.model.predict(splits.x_test, verbose=0).ravel()
        error = guess - y
        rmse, mae, bias = (
            float(v) for v in (np.sqrt(np.mean(error**2)), np.mean(np.abs(error)), np.mean(error))
        )
        name = item.label if len(trained) > 1 else type(item.model.loss).__name__
        print(f"{name:<12} {rmse:7.4f} {mae:7.4f} {bias:11.4f}")
        numbers.update(
            {
                f"clean_test_rmse_{name}": rmse,
                f"clean_test_mae_{name}": mae,
                f"clean_test_mean_error_{name}": bias,
            }
        )
        predicted[f"{name}: RMSE {rmse:.3f}"] = guess
    path = figures.predictions(
        y,
        predicted,
        out / "regression_outliers.png",
        f"Trained with {OUTLIER_FRACTION:.0%} outliers, scored on clean targets",
    )
    print(f"Figure: {path}")
    return numbers


EXAMPLE = Example(
    name="regression_outliers",
    title="Regression with outliers: MSE against MAE and Huber on a Linear output",
    summary="make_regression with 10 % shifted training targets; clean test RMSE per loss.",
    task="regression",
    load=load,
    train=train,
    report=report,
    epochs=60,
)

if __name__ == "__main__":
    raise SystemExit(main(EXAMPLE))
