"""numba.cuda-style Python frontend: `@cuda.jit` functions lowered to the shared kernel IR.

Pipeline: `source` (the function's AST with file positions) -> `scopes` (where each Python name is
declared in block-scoped IR) -> `lower`/`exprs` (one `ir.Function` per argument-type signature,
typed with numba's rules in `ntypes`), with calls lowered by the rules of `intrinsics` (registry,
conversions, len/range/print), `cudacalls` (the `cuda.*` namespace) and `mathcalls` (`math`,
numpy and Python's numeric functions); every CUDA builtin those rules build is declared once, in
`portable.builtins`, shared with the CUDA C frontend -> `compiler` (the kernel, its device
functions and captured constant arrays as one `ir.ModuleIR`) -> `portable.Module`. `dispatch`
holds the `@cuda.jit` dispatcher (specialise at launch, expand arrays into the mangled parameters
documented in `lower`), `host` the device-array/stream API, `markers` the objects of
`portable.cuda`.

Not supported yet (PortError PORT1014/PORT1004 at the user's line): array slicing and array
expressions inside kernels, complex numbers, records/structured dtypes, tuples as kernel or
device-function arguments, `for ... else`, exceptions, closures over mutable state, vector types
(`cuda.float32x4` ...), `cuda.fp16`, `cuda.libdevice`, atomics on types the IR lacks
(`ATOMIC_TYPES` in `portable.verify`: e.g. `cuda.atomic.cas` on floats, 8-bit integers; PORT2001),
lineinfo/debug options (accepted and ignored). Grid-wide synchronisation (`cuda.cg.this_grid()`)
cannot be ported (PORT1010). `cuda.atomic.nanmax/nanmin` lower to `max/min`, so a NaN is not
ignored as numba's are. `cuda.nanosleep` sleeps 0 ns (within CUDA's contract).
"""
