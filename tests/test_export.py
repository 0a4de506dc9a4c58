"""Every activation layer exports for inference: SavedModel, TFLite and ONNX.

Each case is a `Dense(8)` followed by one layer, with its default and its
non-default arguments (tests/activation_cases.py), so a new catalog
activation is covered without an edit here. The exported model must give
what `model.predict` gives, to 1e-6 relative (see `_tolerance` for a
layer with a kernel of its own), and hold no float64 tensor or op:
runtimes such as TFLite have no float64 kernels for most ops.

Export goes through TensorFlow (`model.export`), so these run on the
TensorFlow backend only; ONNX needs the `export` extra (onnx, onnxruntime,
tf2onnx).

TFLite runs with its built-in kernels, not the XNNPACK delegate that
`tf.lite.Interpreter` applies by default: XNNPACK's exp is off by up to
~1e-6 relative for |x| < 20 and ~3.6e-6 beyond, so every layer built on
exp (Keras's softmax too) differs from TensorFlow by that much there.
"""

import warnings

import keras
import numpy as np
import pytest
from activation_cases import arguments, required_arguments
from backends import tensorflow_only
from checks import assert_close, catalog_names

import keras_actloss as ka

pytestmark = [
    tensorflow_only("`model.export` and the TFLite converter go through TensorFlow"),
    pytest.mark.slow,
]

# Arguments on the accurate paths that the catalog's defaults and NON_DEFAULT
# do not reach: a beta that float32 cannot hold exactly, and one that is not
# a weight (NON_DEFAULT's Swish learns its beta; its Softplus has beta = 2,
# whose products are exact).
EXTRA = {
    "swish": [dict(beta=1.7)],
    "softplus": [dict(beta=2.5)],
}


def _show(name, value):
    plain = isinstance(value, (bool, int, float, str, list, tuple))
    return f"{name}={value}" if plain else f"{name}={type(value).__name__}"


def _cases():
    cases = []
    for name in catalog_names("activation"):
        kwargs = [required_arguments(name)]
        if arguments(name) != kwargs[0]:
            kwargs.append(arguments(name))
        kwargs += EXTRA.get(name, [])
        for i, given in enumerate(kwargs):
            label = "default" if i == 0 else ",".join(_show(k, v) for k, v in given.items())
            cases.append(pytest.param(name, given, id=f"{name}[{label}]"))
    return cases


# The Dense layer scales each input by a power of two and adds a short
# bias, so that every runtime computes exactly the same logits: the
# comparison then measures the activation alone, not the order in which a
# matrix product sums. The inputs have full float32 mantissas and reach
# the tails where exp and sigmoid are hardest to get right (|logit| ~ 100).
SCALES = np.array([1.0, 2.0, 0.5, 1.0, 4.0, 1.0, 0.25, 1.0], dtype="float32")
BIAS = np.array([0.0, 0.5, -1.0, 0.0, 2.0, 0.0, -0.25, 0.0], dtype="float32")


def _inputs():
    rng = np.random.default_rng(7)
    rows = [
        rng.normal(scale=3.0, size=(48, 8)),
        rng.normal(scale=25.0, size=(96, 8)),
        rng.uniform(-1e-3, 1e-3, size=(8, 8)),
        np.linspace(-110.0, 110.0, 8 * 16).reshape(16, 8),
        [[1e4, -1e4, 0.0, 5e3, -5e3, 1.0, -1.0, 0.0]],
    ]
    return np.concatenate(rows).astype("float32")


INPUTS = _inputs()


def _model(name, kwargs):
    keras.utils.set_random_seed(0)  # the weights of layers that have a kernel (Maxout)
    layer = ka.get_activation(name, **kwargs)
    dense = keras.layers.Dense(
        8,
        kernel_initializer=keras.initializers.Constant(np.diag(SCALES)),
        bias_initializer=keras.initializers.Constant(BIAS),
    )
    model = keras.Sequential([keras.Input((8,)), dense, layer])
    model(INPUTS[:1])
    return model


def _tolerance(model, expected):
    """(rtol, atol): 1e-6 relative; absolute only where the layer sums a matrix product.

    A layer with its own kernel (Maxout) sums products in the runtime's own
    order, so near a cancellation its output is off by rounding of the
    terms, not of the result: 1e-6 of the largest output, there.
    """
    if getattr(model.layers[-1], "kernel", None) is not None:
        return 1e-6, 1e-6 * float(np.max(np.abs(expected)))
    return 1e-6, 1e-30


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """`get(name, kwargs)`: (model, predictions, SavedModel path), built once per case."""
    directory = tmp_path_factory.mktemp("export")
    built = {}

    def get(name, kwargs):
        # Each format's cases share the argument objects: their ids identify a case.
        key = (name, tuple(sorted((k, id(v)) for k, v in kwargs.items())))
        if key not in built:
            model = _model(name, kwargs)
            path = str(directory / f"case{len(built)}")
            model.export(path, format="tf_saved_model", verbose=False)
            built[key] = model, model.predict(INPUTS, verbose=0), path
        return built[key]

    return get


# --- float64 detectors, one per format ---------------------------------------


def _savedmodel_float64(path):
    """Names of the nodes of a SavedModel (every function included) that touch float64."""
    from tensorflow.core.framework import types_pb2
    from tensorflow.core.protobuf import saved_model_pb2

    double = types_pb2.DT_DOUBLE
    saved = saved_model_pb2.SavedModel()
    with open(f"{path}/saved_model.pb", "rb") as file:
        saved.ParseFromString(file.read())
    found = []
    for meta_graph in saved.meta_graphs:
        graph = meta_graph.graph_def
        nodes = [("", node) for node in graph.node]
        for function in graph.library.function:
            arguments_ = [*function.signature.input_arg, *function.signature.output_arg]
            if any(arg.type == double for arg in arguments_):
                found.append(f"{function.signature.name} (signature)")
            nodes += [(function.signature.name + "/", node) for node in function.node_def]
        for prefix, node in nodes:
            for attr in node.attr.values():
                if attr.type == double or double in attr.list.type or attr.tensor.dtype == double:
                    found.append(f"{prefix}{node.name} ({node.op})")
                    break
    return found


def _tflite_float64(interpreter):
    return [
        f"{t['name']} ({t['dtype'].__name__})"
        for t in interpreter.get_tensor_details()
        if np.dtype(t["dtype"]) == np.float64
    ]


def _onnx_float64(model):
    """Names of the tensors, initializers and nodes of an ONNX graph that are float64."""
    import onnx

    double, tensor = onnx.TensorProto.DOUBLE, onnx.AttributeProto.TENSOR
    model = onnx.shape_inference.infer_shapes(model)
    found = []

    def visit(graph):
        for value in [*graph.input, *graph.output, *graph.value_info]:
            if value.type.tensor_type.elem_type == double:
                found.append(f"{value.name} (tensor)")
        found.extend(f"{t.name} (initializer)" for t in graph.initializer if t.data_type == double)
        for node in graph.node:
            for attr in node.attribute:
                casts_to_double = node.op_type == "Cast" and attr.name == "to" and attr.i == double
                holds_double = attr.type == tensor and attr.t.data_type == double
                if casts_to_double or holds_double:
                    found.append(f"{node.name} ({node.op_type})")
                if attr.type == onnx.AttributeProto.GRAPH:
                    visit(attr.g)
                for subgraph in attr.graphs:
                    visit(subgraph)

    visit(model.graph)
    return found


# --- the tests ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kwargs"), _cases())
def test_saved_model(name, kwargs, exported):
    import tensorflow as tf

    model, expected, path = exported(name, kwargs)
    assert not _savedmodel_float64(path), _savedmodel_float64(path)
    loaded = tf.saved_model.load(path)  # kept: its functions refer to its variables
    assert_close(loaded.serve(tf.constant(INPUTS)), expected, *_tolerance(model, expected))


@pytest.mark.parametrize(("name", "kwargs"), _cases())
def test_tflite(name, kwargs, exported):
    import tensorflow as tf

    model, expected, path = exported(name, kwargs)
    flatbuffer = tf.lite.TFLiteConverter.from_saved_model(path).convert()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's move to LiteRT
        interpreter = tf.lite.Interpreter(
            model_content=flatbuffer,
            experimental_op_resolver_type=(
                tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES
            ),
        )
    (signature,) = interpreter.get_signature_list().values()
    (input_name,) = signature["inputs"]
    runner = interpreter.get_signature_runner()
    (actual,) = runner(**{input_name: INPUTS}).values()
    assert not _tflite_float64(interpreter), _tflite_float64(interpreter)
    assert_close(actual, expected, *_tolerance(model, expected))


# Keras's tf2onnx patch for NumPy 2 probes `np.object`, which NumPy warns about.
@pytest.mark.filterwarnings("ignore:In the future `np.object`:FutureWarning")
@pytest.mark.parametrize(("name", "kwargs"), _cases())
def test_onnx(name, kwargs, exported, tmp_path):
    import onnx
    import onnxruntime

    model, expected, _ = exported(name, kwargs)
    path = str(tmp_path / "model.onnx")
    model.export(path, format="onnx", verbose=False)
    graph = onnx.load(path)
    assert not _onnx_float64(graph), _onnx_float64(graph)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (input_,) = session.get_inputs()
    (actual,) = session.run(None, {input_.name: INPUTS})
    assert_close(actual, expected, *_tolerance(model, expected))
