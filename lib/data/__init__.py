"""The data path: corpora, their tokens, the shared vocabulary, training pairs, analogy questions, word categories
and presets."""
