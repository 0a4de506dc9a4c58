import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _clean_keras_state():
    """Each test starts with float32 policy and a fresh Keras session.

    Without the full garbage collection `clear_session()` runs by default
    (about 0.3 s a test with TensorFlow loaded): layer names and the dtype
    policy are what tests depend on, and memory is freed as usual.
    """
    yield
    keras.config.set_dtype_policy("float32")
    keras.utils.clear_session(free_memory=False)
