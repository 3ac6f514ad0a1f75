"""The sizes Backprop Tracer accepts, in one place.

Beyond these a lesson, a data file or a setting is refused with a message
that names the limit; the README lists the same numbers.
"""

MAX_FILE_BYTES = 64 * 1024 * 1024   # a lesson or data file
MAX_SAMPLES = 100_000               # rows of X
MAX_FEATURES = 1_000                # columns of X (n0)
MAX_OUTPUTS = 1_000                 # columns of y (nL)
MAX_LAYERS = 16                     # layers with weights (L)
MAX_UNITS = 1_024                   # neurons in one hidden layer
MAX_PARAMETERS = 5_000_000          # weights and biases in all
MAX_EPOCHS = 10_000_000             # epochs in one run
