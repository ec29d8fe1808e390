"""The models: the PyTorch word2vec and its Huffman tree and batches, both trainers, and their one callback
interface."""
