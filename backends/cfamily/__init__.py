"""C-family targets: one renderer, one dialect table each."""
