"""Multi-label classification with a Sigmoid per class and binary cross-entropy.

    python examples/multilabel.py                     # the network of two ReLU layers
    python examples/multilabel.py --tuner bayesian    # search the network and its head

The code lives in `keras_actloss/examples/multilabel.py`, so that
`keras-actloss example multilabel` runs it where the package is installed
without this repository; `--help` lists the options.
"""

from keras_actloss.examples import run

if __name__ == "__main__":
    raise SystemExit(run("multilabel"))
