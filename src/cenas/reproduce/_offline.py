"""What the offline data cannot reproduce, with what each would need, and the one path that runs
when the user supplies the file: HotCarbon'23 Figure 3 on HW-NAS-Bench's edge-GPU energy (the
papers' own objectives), read through the data catalog's restricted unpickler."""

from __future__ import annotations

from cenas.bench import load_nb201
from cenas.reproduce._context import ReproduceContext
from cenas.reproduce._hotcarbon_data import fig3_section_of, run_fig3
from cenas.reproduce._model import ECNAS, HOTCARBON, NEURIPS, OfflineItem, Section

__all__ = ["HWNAS_OBJECTIVES", "hwnas_section", "offline_items"]

HWNAS_OBJECTIVES = "cifar10_test_acc:max,hw_edgegpu_energy_mj:min"


def hwnas_section(ctx: ReproduceContext) -> list[Section]:
    """Figure 3 with the papers' objectives, when the HW-NAS-Bench pickle was supplied (else
    nothing: the offline list says what it needs)."""
    hw = ctx.hwnas
    if hw is None:
        return []
    ctx.status("Figure 3 on HW-NAS-Bench edge-GPU energy")
    bench = load_nb201(
        ctx.data_dir,
        hwnas_path=hw.path,
        hwnas_sha256=hw.sha256,
        allow_unverified_pickle=hw.allow_unverified,
    )
    res = run_fig3(ctx, bench, HWNAS_OBJECTIVES)
    check = f"--hwnas-sha256 {hw.sha256}" if hw.sha256 else "--allow-unverified-pickle"
    return [
        fig3_section_of(
            ctx,
            res,
            key="hotcarbon-fig3-hwnas",
            target="Figure 3 (papers' objectives)",
            title="LaMOO's selected region vs the whole space, edge-GPU energy (HW-NAS-Bench)",
            command=(
                f"cenas moo effectiveness --objectives {HWNAS_OBJECTIVES} --hwnas {hw.path} {check}"
            ),
            second_is_energy=True,
            notes=(f"HW-NAS-Bench pickle supplied by the user: {hw.path}.",),
        )
    ]


def offline_items(ctx: ReproduceContext) -> list[OfflineItem]:
    """The list of what cannot be reproduced offline (the HW-NAS-Bench entry says whether this
    run used the user's file)."""
    hw_status = (
        f"supplied ({ctx.hwnas.path}): Figure 3 ran on edge-GPU energy (section "
        "hotcarbon-fig3-hwnas); Figures 4-6 on it: cenas experiment "
        "configs/nb201_edgegpu_energy.toml"
        if ctx.hwnas is not None
        else "not supplied: Figures 3-6 ran on Raspberry Pi 4 latency instead"
    )
    return [
        OfflineItem(
            "Edge-GPU (Jetson TX2) inference energy, the papers' second objective (Figures 3-6)",
            f"{HOTCARBON}, {NEURIPS}",
            "HW-NAS-Bench-v1_0.pickle from github GATECH-EIC/HW-NAS-Bench; pass --hwnas PATH with "
            "--hwnas-sha256 HASH (or --allow-unverified-pickle); it is read with the restricted "
            "unpickler only",
            hw_status,
        ),
        OfflineItem(
            "NAS-Bench-301 search results (DARTS space, surrogate benchmark)",
            NEURIPS,
            "NAS-Bench-301's surrogate models and their runtime (the nasbench301 package and model "
            "weights, not in the offline data)",
            "not run",
        ),
        OfflineItem(
            "Open-domain CIFAR-10 search (97.35 % top-1, 1.68 M parameters, 38.53 lbs CO2eq)",
            NEURIPS,
            "CIFAR-10, GPUs for days of supernet training and evaluations; the pipeline exists: "
            "cenas search configs/search_cifar10_ray.toml on a GPU cluster",
            "not run",
        ),
        OfflineItem(
            "Open-domain ImageNet search (80.6 % top-1, 0.78 ms TensorRT FP16 latency on V100, "
            "909.86 lbs CO2eq)",
            NEURIPS,
            "ImageNet, a GPU cluster, TensorRT on an NVIDIA V100 for the latency objective",
            "not run",
        ),
        OfflineItem(
            "EC-NAS's full 7-vertex benchmark table (surrogate-predicted energy for every cell)",
            ECNAS,
            "EC-NAS-Bench's 7-vertex data files; offline there are the measured 4- and 5-vertex "
            "spaces and the surrogate's 4,310 training cells (used in Figure 1)",
            "not run",
        ),
    ]
