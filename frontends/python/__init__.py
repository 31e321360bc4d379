"""numba.cuda-style Python frontend: `@cuda.jit` functions lowered to the shared kernel IR.

Pipeline: `source` (the function's AST with file positions) -> `scopes` (where each Python name is
declared in block-scoped IR) -> `lower`/`exprs`/`intrinsics` (one `ir.Function` per argument-type
signature, typed with numba's rules in `ntypes`) -> `compiler` (the kernel, its device functions
and captured constant arrays as one `ir.ModuleIR`) -> `portable.Module`. `dispatch` holds the
`@cuda.jit` dispatcher (specialise at launch, expand arrays into the mangled parameters documented
in `lower`), `host` the device-array/stream API, `markers` the objects of `portable.cuda`.

Not supported yet (PortError PORT1014/PORT1004 at the user's line): array slicing and array
expressions inside kernels, complex numbers, records/structured dtypes, tuples as kernel or
device-function arguments, `for ... else`, exceptions, closures over mutable state, cooperative
groups (`cuda.cg`), `cuda.fp16`, `cuda.atomic.cas` on floats, `cuda.libdevice`, `cuda.eq_sync`,
`cuda.match_*_sync`, `cuda.nanosleep`, lineinfo/debug options (accepted and ignored).
"""
