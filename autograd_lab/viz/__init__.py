"""The graph visualizer: capture (walk grad_fn graphs to plain data) and rendering."""
