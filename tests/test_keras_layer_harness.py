"""Every activation layer passes Keras's own layer checks (`keras.src.testing.TestCase`).

`run_layer_test` is what Keras runs on its own layers: built state after
construction (a stateless layer is built, a subclass that overrides `build`
is not), config and serialization round trips, symbolic and eager output
shapes, masking support, dtype policies (mixed precision), the training
flag, and a compiled training step. It runs on the current backend.
"""

import pytest
from keras.src.testing import TestCase

from keras_actloss import catalog

#: Arguments other than the defaults, for layers that have some.
NON_DEFAULT = {
    "LeakyReLU": {"negative_slope": 0.1},
    "ELU": {"alpha": 0.5},
    "Swish": {"beta": 1.5},
    "Softplus": {"beta": 2.0},
    "Softmax": {"axis": 0},
    "PReLU": {"alpha_initializer": "ones"},
    "Step": {"threshold": 0.5},
}
REQUIRED = {"Maxout": {"units": 3, "pieces": 2}}


def _cases():
    for entry in catalog.entries("activation"):
        cls = entry.implementation
        base = REQUIRED.get(cls.__name__, {})
        yield pytest.param(cls, base, id=f"{cls.__name__}-defaults")
        if cls.__name__ in NON_DEFAULT:
            yield pytest.param(cls, {**base, **NON_DEFAULT[cls.__name__]}, id=cls.__name__)


class _Harness(TestCase):
    def runTest(self):  # unittest needs one to instantiate the case
        pass


@pytest.mark.parametrize(("cls", "kwargs"), list(_cases()))
def test_keras_layer_checks(cls, kwargs):
    probe = cls(**kwargs)
    probe.build((2, 4))
    weights = len(probe.trainable_weights)
    _Harness().run_layer_test(
        cls,
        init_kwargs=kwargs,
        input_shape=(2, 4),
        expected_output_shape=probe.compute_output_shape((2, 4)),
        expected_num_trainable_weights=weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        # A layer with weights creates them in `build`; the stateless ones are built at once.
        assert_built_after_instantiation=weights == 0,
    )
