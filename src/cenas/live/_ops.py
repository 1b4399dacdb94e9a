"""The NAS-Bench-201 operations and blocks, as in the benchmark's own code (``AutoDL-Projects``).

``none`` has no module here on purpose: a standalone network drops a ``none`` edge entirely (no
module, no computation), and the supernet skips it; neither multiplies by zero.
"""

from __future__ import annotations

from torch import Tensor, nn

__all__ = ["OPERATION_NAMES", "ReLUConvBN", "ResidualReduction", "make_operation"]

OPERATION_NAMES: tuple[str, ...] = (
    "none",
    "skip_connect",
    "nor_conv_1x1",
    "nor_conv_3x3",
    "avg_pool_3x3",
)
"""Operation names in the order of :data:`cenas.space.NB201_OPS` (op id = position)."""


class ReLUConvBN(nn.Sequential):
    """ReLU, convolution (no bias), batch norm: NAS-Bench-201's ``nor_conv_kxk``."""

    def __init__(
        self,
        c_in: int,
        c_out: int,
        kernel: int,
        stride: int,
        *,
        affine: bool = True,
        track_running_stats: bool = True,
    ) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel, stride=stride, padding=kernel // 2, bias=False),
            nn.BatchNorm2d(c_out, affine=affine, track_running_stats=track_running_stats),
        )


def make_operation(
    op: str, channels: int, *, affine: bool = True, track_running_stats: bool = True
) -> nn.Module:
    """The module of one cell operation (stride 1, ``channels`` in and out).

    Args:
        op: one of :data:`OPERATION_NAMES` except ``none``.
        channels: input = output channels.
        affine: learnable batch-norm scale and shift (False in the supernet).
        track_running_stats: batch norm keeps running statistics (False in the supernet, whose
            paths each need their own statistics, so evaluation uses the batch's).

    Raises:
        ValueError: ``op`` is ``none`` or unknown (callers validate architectures first).
    """
    bn = {"affine": affine, "track_running_stats": track_running_stats}
    if op == "skip_connect":
        return nn.Identity()
    if op == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1, 1, **bn)
    if op == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3, 1, **bn)
    if op == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"no module for operation {op!r}")


class ResidualReduction(nn.Module):
    """NAS-Bench-201's residual reduction block: two 3x3 ReLU-conv-BN (the first with stride 2)
    plus a shortcut of 2x2 average pooling and a 1x1 convolution; halves the resolution and
    changes ``c_in`` to ``c_out`` channels."""

    def __init__(
        self, c_in: int, c_out: int, *, affine: bool = True, track_running_stats: bool = True
    ) -> None:
        super().__init__()
        bn = {"affine": affine, "track_running_stats": track_running_stats}
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, **bn)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, **bn)
        self.shortcut = nn.Sequential(
            # ceil_mode keeps odd resolutions in step with the strided conv (7x7 -> 4x4 on both
            # paths); for even ones it is NAS-Bench-201's plain 2x2 pooling.
            nn.AvgPool2d(2, stride=2, padding=0, ceil_mode=True),
            nn.Conv2d(c_in, c_out, 1, stride=1, padding=0, bias=False),
        )

    def forward(self, x: Tensor) -> Tensor:
        out: Tensor = self.shortcut(x) + self.conv_b(self.conv_a(x))
        return out
