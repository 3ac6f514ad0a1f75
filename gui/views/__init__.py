"""Teaching views docked beside the tables: each one takes the SessionController,
listens to its signals and repaints what the engine computed (never maths of
its own)."""
