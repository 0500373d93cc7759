"""``d2lad.autograd``: the functional side of reverse mode, as ``torch.autograd``.

>>> import d2lad
>>> x = d2lad.tensor(3.0, requires_grad=True)
>>> d2lad.autograd.grad(x * x, x)
(tensor(6.),)
"""

from d2lad.engine.backward import backward, grad
from d2lad.engine.grad_mode import enable_grad, no_grad, set_grad_enabled
from d2lad.engine.gradcheck import GradcheckError, gradcheck

__all__ = ["GradcheckError", "backward", "enable_grad", "grad", "gradcheck", "no_grad",
           "set_grad_enabled"]
