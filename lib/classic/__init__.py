"""The classic experiments: random versus structured language, and part of speech in two dimensions."""
