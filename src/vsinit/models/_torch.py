"""PyTorch ``nn.Module``: every parameter, in place, with the layout of its module.

``torch.nn.init`` computes fans as ``fan_in = size(1) * receptive field`` and
``fan_out = size(0) * receptive field``, for every module type: a ``Linear`` weight
``(out, in)``, a ``Conv*`` weight ``(out, in / groups, *kernel)``, a ``ConvTranspose*``
weight ``(in, out / groups, *kernel)`` (whose ``size(1)`` PyTorch counts as fan-in, as
Keras does for ``Conv*Transpose``), ``Bilinear``, ``MultiheadAttention`` and RNN weights
alike. So every weight of rank 2 or more is a kernel in the ``(out, in, *receptive)``
layout, drawn through the view ``param.permute(2, …, 1, 0)`` (no copy). An
``Embedding``'s weight ``(num, dim)`` is an embedding; a norm layer's weight is a scale;
any parameter named ``bias`` (or ending in ``_bias``, ``bias_*``) a bias.

Parameters sharded with ``torch.distributed`` (``DTensor``, FSDP2's ``fully_shard``) are
written shard by shard: each rank fills only its local shard, as the partition of the
full parameter at the shard's global offset, so the gathered parameter equals the
unsharded one bit for bit.

May import: torch (this module is imported only for a ``torch.nn.Module``), the engine,
``rng`` and ``models._params`` / ``models._report``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from vsinit._math.layout import PartitionInfo
from vsinit.models._params import Param, Role, identity, layer_of, out_in_perm
from vsinit.models._report import Entry
from vsinit.rng import Philox

_NORMS = (
    torch.nn.modules.batchnorm._NormBase,
    torch.nn.LayerNorm,
    torch.nn.GroupNorm,
    torch.nn.RMSNorm,
)
_EMBEDDINGS = (torch.nn.Embedding, torch.nn.EmbeddingBag)


def is_model(model: Any) -> bool:
    """Whether ``model`` is a ``torch.nn.Module``."""
    return isinstance(model, torch.nn.Module)


def params(model: torch.nn.Module) -> list[Param]:
    """Every parameter of ``model`` once (tied ones under their first name), in model order."""
    found, seen = [], set()
    for module_name, module in model.named_modules():
        for local, p in module.named_parameters(recurse=False):
            if id(p) in seen:
                continue
            seen.add(id(p))
            name = f"{module_name}.{local}" if module_name else local
            role = _role(module, local, p.ndim)
            perm = out_in_perm(p.ndim) if role == "kernel" else identity(p.ndim)
            found.append(
                Param(name, tuple(p.shape), role, perm, module, layer_of(name, "."), p.dtype)
            )
    return found


def _role(module: torch.nn.Module, local: str, rank: int) -> Role:
    if local == "bias" or local.endswith("_bias") or local.startswith("bias_"):
        return "bias"
    if local == "weight" and isinstance(module, _EMBEDDINGS):
        return "embedding"
    if local == "weight" and isinstance(module, _NORMS):
        return "scale"
    return "kernel" if rank >= 2 else "other"


def write(model: torch.nn.Module, entries: Sequence[Entry], tier: str) -> None:
    """Carry out the plan in place, under ``no_grad``."""
    tensors = dict(model.named_parameters())
    with torch.no_grad():
        for entry in entries:
            if entry.action is None:
                continue
            tensor = tensors[entry.name]
            if tensor.is_meta:
                msg = (
                    f"parameter {entry.name!r} is on the meta device and has no storage to "
                    "write; materialize the model first, e.g. model.to_empty(device='cpu')."
                )
                raise ValueError(msg)
            local, info = _local(tensor, entry.param.perm, entry.name)
            if isinstance(entry.action, float):
                local.fill_(entry.action)
            else:
                init, rng = _source(entry, tier, local, info)
                view = local.permute(*entry.param.perm)
                init.fill_(view, partition_info=info, rng=rng)


def _local(
    tensor: torch.Tensor, perm: tuple[int, ...], name: str
) -> tuple[torch.Tensor, PartitionInfo | None]:
    """The tensor this process writes, and where it lies in the canonical full parameter."""
    from torch.distributed.tensor import DTensor, Replicate, Shard

    if not isinstance(tensor, DTensor):
        return tensor, None
    if not all(isinstance(p, Shard | Replicate) for p in tensor.placements):
        msg = (
            f"parameter {name!r} has placements {tensor.placements}; only Shard and "
            "Replicate parameters can be initialized shard by shard."
        )
        raise ValueError(msg)
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    _, offset = compute_local_shape_and_global_offset(
        tensor.shape, tensor.device_mesh, tensor.placements
    )
    full = tuple(tensor.shape)
    info = PartitionInfo([full[a] for a in perm], [int(offset[a]) for a in perm])
    return tensor.to_local(), info


def _source(
    entry: Entry, tier: str, local: torch.Tensor, info: PartitionInfo | None
) -> tuple[Any, Any]:
    """The initializer and ``rng`` of one parameter's draw in ``tier``."""
    if tier == "portable":
        return entry.action, Philox(entry.seed)
    if tier == "compiled":  # the same stream (the same bits), fused by torch.compile
        return _seeded(entry.action, entry.seed), "compiled"
    if info is not None:
        msg = (
            f"parameter {entry.name!r} is sharded: tier='native' draws other values for "
            "each sharding; use tier='portable' (the default), which does not."
        )
        raise ValueError(msg)
    generator = torch.Generator(device=local.device)
    generator.manual_seed(entry.seed % 2**63)
    return entry.action, generator


def _seeded(action: Any, seed: int) -> Any:
    """``action`` with ``seed`` as its own seed (``rng="compiled"`` draws from that seed)."""
    if "seed" not in type(action).config_keys:
        msg = f"tier='compiled' needs an initializer with a `seed`; received {action!r}."
        raise TypeError(msg)
    return type(action).from_config({**action.get_config(), "seed": seed})
