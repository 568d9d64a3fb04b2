"""A drop-in for similaripy 0.6 on knntune's engine: ``import knntune.similaripy as sim``."""

from . import normalization, similarity
from .normalization import bm25, bm25plus, normalize, tfidf
from .similarity import (asymmetric_cosine, cosine, dice, dot_product, jaccard, p3alpha,
                         rp3beta, s_plus, tversky)

__version__ = "0.6.0"

__all__ = ["__version__", "normalize", "bm25", "bm25plus", "tfidf", "dot_product", "cosine",
           "asymmetric_cosine", "jaccard", "dice", "tversky", "p3alpha", "rp3beta", "s_plus",
           "normalization", "similarity"]
