"""PyTorch modules: in place, the layout of each module type, meta, native tier, tied weights."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import vsinit  # noqa: E402
from vsinit.models import init_model, plan_model  # noqa: E402
from vsinit.rng import Philox, derive_seed  # noqa: E402


def canonical(init, shape, seed, name):
    """What vsinit draws for a parameter in the canonical layout, as a torch tensor."""
    return torch.from_numpy(np.asarray(init(shape, rng=Philox(derive_seed(seed, name)))))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(50, 12)
        self.conv = nn.Conv2d(3, 8, (3, 5), groups=1)
        self.up = nn.ConvTranspose2d(8, 4, 3)
        self.fc = nn.Linear(12, 6)
        self.norm = nn.LayerNorm(6)
        self.bn = nn.BatchNorm2d(4)
        self.attn = nn.MultiheadAttention(6, 2)


class TestLayouts:
    @pytest.fixture
    def net(self):
        torch.manual_seed(0)
        return Net()

    def test_every_parameter_gets_a_rule(self, net):
        rules = {e.name: e.rule for e in plan_model(net, seed=0)}
        assert rules == {
            "embed.weight": "default: embedding",
            "conv.weight": "default: kernel",
            "conv.bias": "default: bias",
            "up.weight": "default: kernel",
            "up.bias": "default: bias",
            "fc.weight": "default: kernel",
            "fc.bias": "default: bias",
            "norm.weight": "default: scale",
            "norm.bias": "default: bias",
            "bn.weight": "default: scale",
            "bn.bias": "default: bias",
            "attn.in_proj_weight": "default: kernel",
            "attn.in_proj_bias": "default: bias",
            "attn.out_proj.weight": "default: kernel",
            "attn.out_proj.bias": "default: bias",
        }

    @pytest.mark.parametrize(
        ("name", "permute"),
        [("fc.weight", (1, 0)), ("conv.weight", (2, 3, 1, 0)), ("up.weight", (2, 3, 1, 0))],
        ids=["linear", "conv2d", "conv-transpose2d"],
    )
    def test_kernels_are_the_canonical_draw_permuted(self, net, name, permute):
        init_model(net, seed=5)
        weight = net.get_parameter(name).detach()
        expected = canonical(
            vsinit.glorot_uniform(), tuple(weight.permute(*permute).shape), 5, name
        )
        assert torch.equal(weight.permute(*permute), expected)

    @pytest.mark.parametrize(
        ("name", "fans"),
        [
            ("fc.weight", (12, 6)),
            ("conv.weight", (45, 120)),
            ("up.weight", (36, 72)),
            ("attn.in_proj_weight", (6, 18)),
        ],
        ids=["linear", "conv2d", "conv-transpose2d", "attention"],
    )
    def test_fans_are_torch_nn_inits(self, net, name, fans):
        entry = {e.name: e for e in plan_model(net, seed=0)}[name]
        weight = net.get_parameter(name)
        assert (entry.fan_in, entry.fan_out) == fans
        assert fans == nn.init._calculate_fan_in_and_fan_out(weight)

    def test_biases_norms_and_embeddings(self, net):
        init_model(net, seed=1)
        assert not net.fc.bias.any() and not net.attn.in_proj_bias.any()
        assert bool((net.norm.weight == 1).all()) and bool((net.bn.weight == 1).all())
        expected = canonical(
            vsinit.VarianceScaling(1.0, "fan_out", "untruncated_normal"),
            (50, 12),
            1,
            "embed.weight",
        )
        # a normal: equal to a few ulp across libraries (transcendentals differ)
        torch.testing.assert_close(net.embed.weight.detach(), expected, rtol=8 * 2**-23, atol=0)

    def test_in_place_without_autograd_history(self, net):
        before = dict(net.named_parameters())
        init_model(net, seed=1)
        for n, p in net.named_parameters():
            assert p is before[n] and p.requires_grad and p.grad_fn is None

    def test_rules_by_module_type(self, net):
        init_model(net, seed=2, rules=[(nn.Linear, 0.5)])
        assert bool((net.fc.weight == 0.5).all()) and bool((net.fc.bias == 0.5).all())
        assert not bool((net.conv.weight == 0.5).all())

    def test_buffers_are_not_parameters(self, net):
        net.bn.running_var.fill_(3.0)
        init_model(net, seed=2)
        assert bool((net.bn.running_var == 3.0).all())

    def test_tied_weights_are_initialized_once_under_their_first_name(self):
        class Tied(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(10, 4)
                self.head = nn.Linear(4, 10, bias=False)
                self.head.weight = self.embed.weight

        model = Tied()
        report = plan_model(model, seed=0)
        assert [e.name for e in report] == ["embed.weight"]
        init_model(model, seed=0)
        assert model.head.weight is model.embed.weight


class TestDevicesAndTiers:
    def test_meta_model_after_to_empty_equals_the_eager_model(self):
        eager = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 4))
        with torch.device("meta"):
            lazy = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 4))
        with pytest.raises(ValueError, match="meta device.*to_empty"):
            init_model(lazy, seed=9)
        lazy = lazy.to_empty(device="cpu")
        init_model(lazy, seed=9)
        init_model(eager, seed=9)
        for a, b in zip(lazy.parameters(), eager.parameters(), strict=True):
            assert torch.equal(a, b)

    @pytest.mark.parametrize(
        "dtype", [torch.float32, torch.float64, torch.bfloat16, torch.float16], ids=str
    )
    def test_dtypes(self, dtype):
        model = nn.Linear(64, 32).to(dtype)
        init_model(model, seed=0)
        bound = float(np.sqrt(6 / 96))
        assert model.weight.dtype == dtype and float(model.weight.detach().abs().max()) <= bound

    def test_native_tier_uses_a_seeded_torch_generator(self):
        a, b = nn.Linear(64, 32), nn.Linear(64, 32)
        init_model(a, seed=4, tier="native")
        init_model(b, seed=4, tier="native")
        assert torch.equal(a.weight, b.weight)
        portable = nn.Linear(64, 32)
        init_model(portable, seed=4)
        assert not torch.equal(a.weight, portable.weight)
        assert float(a.weight.detach().abs().max()) <= float(np.sqrt(6 / 96))

    @pytest.mark.filterwarnings("ignore::DeprecationWarning")  # raised inside torch.compile
    def test_compiled_tier_is_the_portable_stream_bit_for_bit(self):
        compiled, portable = (
            nn.Sequential(nn.Linear(64, 32), nn.Conv2d(3, 4, 3)),
            nn.Sequential(nn.Linear(64, 32), nn.Conv2d(3, 4, 3)),
        )
        init_model(compiled, seed=6, tier="compiled")
        init_model(portable, seed=6)
        for a, b in zip(compiled.parameters(), portable.parameters(), strict=True):
            assert torch.equal(a, b)
