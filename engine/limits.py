"""The sizes Backprop Tracer accepts, in one place.

Beyond these a lesson, a data file or a setting is refused with a message
that names the limit; the README lists the same numbers.

- A lesson file or a CSV data file is a regular file of at most
  ``MAX_FILE_BYTES`` bytes. A folder, a named pipe (FIFO), a device such as
  ``/dev/zero`` or a socket is refused before it is opened, and reading stops
  one byte past the limit whatever size the file claims.
- A number in a lesson is a finite float: a whole number too large for one
  (more than about 1.8e308, or more digits than Python reads) is refused as
  "expected a finite number", like ``1e400``.
- The lesson's ``title`` holds at most ``MAX_TITLE_CHARS`` characters, its
  ``notes`` and ``source`` at most ``MAX_NOTES_CHARS`` and
  ``MAX_SOURCE_CHARS``, and each of its ``step_notes`` at most
  ``MAX_STEP_NOTE_CHARS`` — text the window shows in full at every step.
- A CSV lesson names at most ``MAX_FEATURES`` feature columns; a longer
  list is refused before any column is looked up.
- A lesson needs at most ``MEMORY_BUDGET_BYTES`` of memory, estimated from
  its shapes before anything is allocated (``engine/memory.py``: chiefly
  rows × the sum of the layer widths × the buffers and records that hold
  them, and the window's decision-boundary grid); beyond it the lesson is
  refused with one line naming the estimate and the limit. Each size limit
  above is reachable within the budget while the others are small —
  ``MAX_SAMPLES`` rows through a narrow network, one hidden layer of
  ``MAX_UNITS`` neurons or ``MAX_LAYERS`` layers of 64 with a thousand rows
  (J of the whole data set is computed every epoch, so smaller batches do
  not lift this) — but not all at once: 100 000 samples through
  [2, 512, 1] would need about 18 GB.
"""

MAX_FILE_BYTES = 64 * 1024 * 1024   # a lesson or data file
MAX_SAMPLES = 100_000               # rows of X
MAX_FEATURES = 1_000                # columns of X (n0)
MAX_OUTPUTS = 1_000                 # columns of y (nL)
MAX_LAYERS = 16                     # layers with weights (L)
MAX_UNITS = 1_024                   # neurons in one hidden layer
MAX_PARAMETERS = 5_000_000          # weights and biases in all
MAX_EPOCHS = 10_000_000             # epochs in one run
MEMORY_BUDGET_BYTES = 2 * 2**30     # what one lesson may need, estimated from its shapes
BOUNDARY_COARSE = 40                # decision-boundary grid points per side while Run trains
BOUNDARY_FINE = 160                 # ... and when paused: the grid the memory estimate counts
MAX_TITLE_CHARS = 200               # a lesson's title
MAX_NOTES_CHARS = 20_000            # a lesson's notes
MAX_SOURCE_CHARS = 1_000            # where a lesson comes from
MAX_STEP_NOTE_CHARS = 4_000         # one step's note
