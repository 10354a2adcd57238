"""torch.distributed: each rank initializes its own shard; the shards are the whole tensor.

Two processes on this machine join a gloo process group (``MASTER_ADDR=127.0.0.1``, a
free port). Each rank allocates only its shard of row- and column-sharded parameters of
uneven size, fills it with ``vsinit.shard`` and ``partition_info``, and rank 0 gathers the
shards and compares them bit for bit with the tensor initialized in one process. The
shards are also checked against the local shards of DTensor's ``Shard(axis)`` placement.
This is the recipe shown in docs/distributed.md.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("torch")

#: What every rank runs: RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT come from the
#: environment, as with torchrun.
RANK_SCRIPT = textwrap.dedent(
    """
    import os
    import torch
    import torch.distributed as dist
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.tensor import Shard, distribute_tensor

    import vsinit

    dist.init_process_group("gloo")
    rank, world = dist.get_rank(), dist.get_world_size()
    mesh = init_device_mesh("cpu", (world,))
    init = vsinit.he_normal(seed=1234, in_axis=1, out_axis=0)  # torch layout (out, in)
    cases = [  # (name, full shape, axis): uneven on purpose
        ("row-sharded", (1001, 96), 0),
        ("column-sharded", (64, 333), 1),
        ("row-sharded, more ranks than rows", (1, 8), 0),
    ]
    for name, full_shape, axis in cases:
        # The recipe: each rank allocates and initializes its shard only.
        shape, info = vsinit.shard(full_shape, rank, world, axis=axis)
        local = torch.nn.Parameter(torch.empty(shape))
        init.fill_(local, partition_info=info)

        # Check: pad to the largest shard, all_gather, trim, concatenate on rank 0.
        largest = vsinit.shard(full_shape, 0, world, axis=axis)[0]
        padded = torch.zeros(largest)
        padded.narrow(axis, 0, shape[axis]).copy_(local.detach())
        gathered = [torch.empty(largest) for _ in range(world)]
        dist.all_gather(gathered, padded)
        if rank == 0:
            sizes = [vsinit.shard(full_shape, r, world, axis=axis)[0][axis] for r in range(world)]
            parts = [g.narrow(axis, 0, n) for g, n in zip(gathered, sizes)]
            whole = torch.cat(parts, dim=axis)
            single = init(full_shape, xp=torch)
            assert torch.equal(whole, single), name
            assert init.scaling(full_shape).n == full_shape[1], name  # fans: the full shape
        # The same local shard as DTensor's Shard(axis) placement of the whole tensor.
        reference = distribute_tensor(init(full_shape, xp=torch), mesh, [Shard(axis)])
        assert torch.equal(reference.to_local(), local.detach()), (name, rank)
        print(f"rank {rank}: {name} {tuple(shape)} at {info.var_offset} ok", flush=True)
    dist.barrier()
    dist.destroy_process_group()
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.distributed
def test_shards_on_two_gloo_ranks_concatenate_to_the_single_process_tensor(tmp_path):
    script = tmp_path / "rank.py"
    script.write_text(RANK_SCRIPT)
    world = 2
    env = {
        **os.environ,
        "MASTER_ADDR": "127.0.0.1",
        "MASTER_PORT": str(free_port()),
        "WORLD_SIZE": str(world),
        "OMP_NUM_THREADS": "1",
        "GLOO_SOCKET_IFNAME": "lo",
    }
    ranks = [
        subprocess.Popen(
            [sys.executable, str(script)],
            env={**env, "RANK": str(rank)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for rank in range(world)
    ]
    outputs = []
    try:
        for proc in ranks:
            outputs.append(proc.communicate(timeout=120)[0])
    finally:
        for proc in ranks:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    for rank, (proc, output) in enumerate(zip(ranks, outputs, strict=True)):
        assert proc.returncode == 0, f"rank {rank} failed:\n{output}"
        assert output.count(" ok") == 3, output
