"""Stencils: a 1-D 7-point stencil with a shared-memory halo, Jacobi sweeps of the 2-D 5-point
stencil, and heat-equation steps with the 3-D 7-point Laplacian on a 3-D grid. References are
float64 array-slicing formulations of the same maths; values stay within [-1, 1], so float32
error is absolute: a few eps per step."""

from __future__ import annotations

import numpy as np
from portable.kernels import EPS32, Run, Spec, cdiv, f64, garbage, uniform

# ---------------------------------------------------------------- 1-D stencil

_W = np.array([0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.05], dtype=np.float32)  # as in stencil1d.cu


def _s1_ref(d, n):
    x = np.pad(f64(d["in"]), 3)  # values beyond either end count as zero
    out = sum(f64(_W[k]) * x[k:k + n] for k in range(7))
    return {"out": out.astype(np.float32)}


STENCIL_1D = Spec(
    name="stencil1d", source="stencil1d.cu",
    sizes={"small": {"n": 3000}, "large": {"n": 1 << 24}},
    inputs=lambda rng, n: {"in": uniform(rng, n), "out": garbage(rng, n, np.float32),
                           "n": np.int32(n)},
    launches=lambda n: [Run("stencil_1d", cdiv(n, 256), 256, ("in", "out", "n"))],
    reference=_s1_ref,
    bytes=lambda n: 8 * n, flops=lambda n: 14 * n,
    # 7 products and 7 adds with sum |w| = 1 and |x| < 1: |err| <= 14 eps.
    rtol=8 * EPS32, atol=14 * EPS32,
    tags=("memory-bound", "shared"),
)


# ---------------------------------------------------------------- Jacobi 2-D

def _jacobi_ref(d, nx, ny, steps):
    a = f64(d["A"])
    states = [a]
    for _ in range(steps):
        b = a.copy()  # boundary rows and columns carry over
        b[1:-1, 1:-1] = (a[1:-1, 1:-1] + a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2]
                         + a[1:-1, 2:]) / 5.0
        states.append(b)
        a = b
    # The sweeps ping-pong A -> B -> A ...: the newest state is in A after an even count.
    last, prev = states[-1], states[-2]
    a_out, b_out = (last, prev) if steps % 2 == 0 else (prev, last)
    return {"A": a_out.astype(np.float32), "B": b_out.astype(np.float32)}


def _jacobi_launches(nx, ny, steps):
    grid = (cdiv(nx, 32), cdiv(ny, 8))
    return [Run("jacobi2d", grid, (32, 8), ("A", "B", "nx", "ny") if s % 2 == 0
                else ("B", "A", "nx", "ny")) for s in range(steps)]


JACOBI_2D = Spec(
    name="jacobi2d", source="jacobi2d.cu",
    sizes={"small": {"nx": 70, "ny": 50, "steps": 4},
           "large": {"nx": 4096, "ny": 4096, "steps": 2}},
    inputs=lambda rng, nx, ny, steps: {"A": uniform(rng, (ny, nx)),
                                       "B": garbage(rng, (ny, nx), np.float32),
                                       "nx": np.int32(nx), "ny": np.int32(ny)},
    launches=_jacobi_launches,
    reference=_jacobi_ref,
    bytes=lambda nx, ny, steps: 8 * nx * ny * steps,
    flops=lambda nx, ny, steps: 5 * nx * ny * steps,
    # 5 roundings per sweep, averaging does not amplify earlier errors: <= 5 * steps eps.
    rtol=8 * EPS32, atol=20 * EPS32,
    tags=("memory-bound",),
)


# ---------------------------------------------------------------- heat 3-D

_ALPHA = np.float32(0.1)  # explicit scheme: stable for alpha <= 1/6


def _heat_ref(d, nx, ny, nz):
    u = f64(d["u"])
    states = [u]
    for _ in range(2):
        v = u.copy()  # boundary cells are held fixed
        c = u[1:-1, 1:-1, 1:-1]
        lap = (u[1:-1, 1:-1, :-2] + u[1:-1, 1:-1, 2:] + u[1:-1, :-2, 1:-1] + u[1:-1, 2:, 1:-1]
               + u[:-2, 1:-1, 1:-1] + u[2:, 1:-1, 1:-1] - 6.0 * c)
        v[1:-1, 1:-1, 1:-1] = c + f64(_ALPHA) * lap
        states.append(v)
        u = v
    return {"u": states[2].astype(np.float32), "v": states[1].astype(np.float32)}


def _heat_launches(nx, ny, nz):
    grid = (cdiv(nx, 8), cdiv(ny, 8), cdiv(nz, 4))
    args = ("nx", "ny", "nz", "alpha")
    return [Run("heat3d", grid, (8, 8, 4), ("u", "v") + args),
            Run("heat3d", grid, (8, 8, 4), ("v", "u") + args)]


HEAT_3D = Spec(
    name="heat3d", source="heat3d.cu",
    sizes={"small": {"nx": 20, "ny": 18, "nz": 12}, "large": {"nx": 256, "ny": 256, "nz": 256}},
    inputs=lambda rng, nx, ny, nz: {"u": uniform(rng, (nz, ny, nx)),
                                    "v": garbage(rng, (nz, ny, nx), np.float32),
                                    "nx": np.int32(nx), "ny": np.int32(ny), "nz": np.int32(nz),
                                    "alpha": _ALPHA},
    launches=_heat_launches,
    reference=_heat_ref,
    bytes=lambda nx, ny, nz: 2 * 8 * nx * ny * nz,
    flops=lambda nx, ny, nz: 2 * 9 * nx * ny * nz,
    # Laplacian terms sum to |lap| <= 12 with ~8 roundings, scaled by alpha, plus the update:
    # <= (0.1 * 12 * 8 + 2) eps ~ 12 eps per step, two steps.
    rtol=8 * EPS32, atol=32 * EPS32,
    tags=("memory-bound", "3d"),
)


SPECS = [STENCIL_1D, JACOBI_2D, HEAT_3D]
