"""Binary classification of make_moons with a Sigmoid output and binary cross-entropy.

    python examples/binary_moons.py                      # the article's network, 500 epochs
    python examples/binary_moons.py --tuner hyperband    # search the network and its head

The code lives in `keras_actloss/examples/binary_moons.py`, so that
`keras-actloss example binary_moons` runs it where the package is installed
without this repository; `--help` lists the options.
"""

from keras_actloss.examples import run

if __name__ == "__main__":
    raise SystemExit(run("binary_moons"))
