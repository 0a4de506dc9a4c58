"""Regression with outliers in the training targets: MSE against MAE and Huber.

    python examples/regression_outliers.py                     # the three losses, side by side
    python examples/regression_outliers.py --tuner bayesian    # search the network and its head

The code lives in `keras_actloss/examples/regression_outliers.py`, so that
`keras-actloss example regression_outliers` runs it where the package is installed
without this repository; `--help` lists the options.
"""

from keras_actloss.examples import run

if __name__ == "__main__":
    raise SystemExit(run("regression_outliers"))
