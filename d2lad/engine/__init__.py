"""The autodiff engine: tensors, the primitive table, recording, and the backward walk.

Read in this order: ``tensor.py`` (the Tensor), ``node.py`` (a recorded call),
``primitive.py`` (how a call is recorded), ``primitives.py`` (every derivative rule),
``backward.py`` (reverse accumulation), then ``functions.py`` (the PyTorch-style API).
"""
