"""The autograd section of d2l.ai (PyTorch version), run with ``import d2lad as torch``: what it
displays must read exactly as what PyTorch prints."""

from __future__ import annotations

from typing import Any

import pytest

import d2lad


def autograd_section(torch: Any) -> dict[str, str]:
    """The section's code with ``torch`` being d2lad or PyTorch; each displayed value's repr."""
    shown: dict[str, str] = {}

    def show(label: str, value: Any) -> None:
        shown[label] = repr(value)

    x = torch.arange(4.0)
    show("x", x)
    show("x.requires_grad_(True)", x.requires_grad_(True))
    show("x.grad before backward", x.grad)
    y = 2 * torch.dot(x, x)
    show("y = 2 * torch.dot(x, x)", y)
    y.backward()
    show("x.grad", x.grad)
    show("x.grad == 4 * x", x.grad == 4 * x)

    x.grad.zero_()
    y = x.sum()
    show("y = x.sum()", y)
    y.backward()
    show("x.grad of x.sum()", x.grad)

    x.grad.zero_()
    y = x * x
    y.backward(gradient=torch.ones(len(y)))
    show("x.grad of x * x, gradient=ones", x.grad)
    x.grad.zero_()
    y = x * x
    y.sum().backward()  # the faster equivalent
    show("x.grad of (x * x).sum()", x.grad)

    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    show("x.grad == u", x.grad == u)
    x.grad.zero_()
    y.sum().backward()
    show("x.grad == 2 * x", x.grad == 2 * x)

    def f(a: Any) -> Any:
        b = a * 2
        while b.norm() < 1000:
            b = b * 2
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    torch.manual_seed(0)
    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    show("a.grad == d / a", a.grad == d / a)

    with torch.no_grad():
        show("x * 2 under no_grad", x * 2)
        x -= 0.1 * x.grad
    show("x after an SGD step", x)
    x.data *= 2
    show("x.data after x.data *= 2", x.data)
    show("x.requires_grad", x.requires_grad)
    return shown


# What PyTorch prints for the deterministic outputs, as the book shows them.
PYTORCH_PRINTS = {
    "x": "tensor([0., 1., 2., 3.])",
    "x.grad before backward": "None",
    "y = 2 * torch.dot(x, x)": "tensor(28., grad_fn=<MulBackward0>)",
    "x.grad": "tensor([ 0.,  4.,  8., 12.])",
    "x.grad == 4 * x": "tensor([True, True, True, True])",
    "y = x.sum()": "tensor(6., grad_fn=<SumBackward0>)",
    "x.grad of x.sum()": "tensor([1., 1., 1., 1.])",
    "x.grad of x * x, gradient=ones": "tensor([0., 2., 4., 6.])",
    "x.grad of (x * x).sum()": "tensor([0., 2., 4., 6.])",
    "x.grad == u": "tensor([True, True, True, True])",
    "x.grad == 2 * x": "tensor([True, True, True, True])",
    "a.grad == d / a": "tensor(True)",
}


@pytest.fixture(scope="module")
def d2lad_output() -> dict[str, str]:
    return autograd_section(d2lad)


@pytest.fixture(scope="module")
def torch_output() -> dict[str, str]:
    return autograd_section(pytest.importorskip("torch"))


@pytest.mark.parametrize("label", PYTORCH_PRINTS)
def test_output_reads_as_the_book_shows(d2lad_output: dict[str, str], label: str) -> None:
    assert d2lad_output[label] == PYTORCH_PRINTS[label]


def test_every_output_reads_as_torch_prints_it(d2lad_output: dict[str, str],
                                               torch_output: dict[str, str]) -> None:
    assert d2lad_output == torch_output
