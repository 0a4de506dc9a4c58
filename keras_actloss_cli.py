"""The `keras-actloss` command's entry point, outside the package on purpose.

Importing `keras_actloss` imports Keras and so TensorFlow, whose C++
start-up lines (oneDNN, CUDA drivers, CPU features) are written to the
process's standard error before any logging setting can apply; setting
`TF_CPP_MIN_LOG_LEVEL` does not silence them all. This module runs before
the package is imported: it sets the log level and sends file descriptor 2
to a temporary file while the package loads, then restores it. The lines
are shown after all if the import fails, with the error.
"""

import os
import sys
import tempfile


def _import_quietly():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            import keras_actloss.cli  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def main(argv=None):
    _import_quietly()
    from keras_actloss import cli

    return cli.main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
