__device__ unsigned bfind(unsigned w) {
  unsigned r;
  asm volatile("bfind.u32 %0, %1;" : "=r"(r) : "r"(w));
  return r;
}
__global__ void k(const unsigned *x, unsigned *lane, unsigned *masks, unsigned *bits) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  unsigned l, lt, le, gt, ge, eq, p, b;
  asm("mov.u32 %0, %%laneid;" : "=r"(l));
  asm("mov.u32 %0, %%lanemask_lt;" : "=r"(lt));
  asm("mov.u32 %0, %%lanemask_le;" : "=r"(le));
  asm("mov.u32 %0, %%lanemask_gt;" : "=r"(gt));
  asm("mov.u32 %0, %%lanemask_ge;" : "=r"(ge));
  asm("mov.u32 %0, %%lanemask_eq;" : "=r"(eq));
  asm("popc.b32 %0, %1;" : "=r"(p) : "r"(x[i]));
  asm("brev.b32 %0, %1;" : "=r"(b) : "r"(x[i]));
  lane[i] = l;
  masks[5 * i] = lt; masks[5 * i + 1] = le; masks[5 * i + 2] = gt;
  masks[5 * i + 3] = ge; masks[5 * i + 4] = eq;
  bits[3 * i] = p; bits[3 * i + 1] = b; bits[3 * i + 2] = bfind(x[i]);
}
