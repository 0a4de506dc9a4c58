"""Multi-class digits (scikit-learn's): Softmax with sparse categorical cross-entropy.

    python examples/multiclass_digits.py                     # the network of two ReLU layers
    python examples/multiclass_digits.py --tuner bayesian    # search the network and its head

The code lives in `keras_actloss/examples/multiclass_digits.py`, so that
`keras-actloss example multiclass_digits` runs it where the package is installed
without this repository; `--help` lists the options.
"""

from keras_actloss.examples import run

if __name__ == "__main__":
    raise SystemExit(run("multiclass_digits"))
