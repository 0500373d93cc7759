"""d2lad: automatic differentiation you can read, with PyTorch's names.

>>> import d2lad as torch
>>> x = torch.arange(4.0, requires_grad=True)
>>> y = 2 * torch.dot(x, x)
>>> y
tensor(28., grad_fn=<MulBackward0>)
>>> y.backward()
>>> x.grad
tensor([ 0.,  4.,  8., 12.])
"""

from d2lad import autograd, func, nn, sym
from d2lad.engine.creation import (
    arange,
    as_tensor,
    empty,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    randperm,
    seed,
    tensor,
    zeros,
    zeros_like,
)
from d2lad.engine.dtypes import (
    Size,
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from d2lad.engine.functions import (
    abs,
    add,
    all,
    allclose,
    amax,
    amin,
    any,
    argmax,
    argmin,
    broadcast_to,
    cat,
    clamp,
    clip,
    clone,
    concat,
    concatenate,
    cos,
    div,
    dot,
    eq,
    equal,
    exp,
    flatten,
    ge,
    gt,
    isclose,
    le,
    log,
    log1p,
    lt,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    mul,
    mv,
    ne,
    neg,
    norm,
    outer,
    permute,
    pow,
    prod,
    reciprocal,
    relu,
    reshape,
    sigmoid,
    sign,
    sin,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sub,
    sum,
    swapaxes,
    t,
    tan,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)
from d2lad.engine.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from d2lad.engine.gradcheck import GradcheckError, gradcheck, numerical_grad
from d2lad.engine.tensor import Tensor
from d2lad.func import grad, hessian, jacfwd, jacrev, jvp, value_and_grad, vjp
from d2lad.tape import GradientTape, stop_gradient

__version__ = "0.1.0"

__all__ = [name for name in dir() if not name.startswith("_")]
