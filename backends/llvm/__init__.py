"""llvm backend: CUDA kernels as native multi-core CPU code through llvmlite."""
