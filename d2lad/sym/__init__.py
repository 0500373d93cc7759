"""``d2lad.sym``: explicit (define-then-run) computation graphs, as MXNet's ``sym`` and
TensorFlow 1's graphs, next to d2lad's eager (define-by-run) tensors.

Declare variables with shapes, build an expression with the usual d2lad functions (nothing is
computed), then evaluate it, or differentiate it ahead of time into another expression.

>>> import d2lad
>>> from d2lad import sym
>>> x = sym.var("x", shape=(4,))
>>> y = 2 * d2lad.dot(x, x)
>>> y
<sym dot(x, x) * 2: shape ()>
>>> y.evaluate(x=d2lad.arange(4.0))
tensor(28.)
>>> sym.grad(y, x).evaluate(x=d2lad.arange(4.0))
tensor([ 0.,  4.,  8., 12.])
"""

from d2lad.sym.differentiate import SUPPORTED, count_nodes, count_ops, grad
from d2lad.sym.evaluate import evaluate
from d2lad.sym.expr import Expr, constant, expression, topological_order, var, variables

__all__ = ["SUPPORTED", "Expr", "constant", "count_nodes", "count_ops", "evaluate",
           "expression", "grad", "topological_order", "var", "variables"]
