__global__ void lane(unsigned *out) {
  unsigned l;
  asm("mov.u32 %0, %%warpid;" : "=r"(l));  // not an idiom portable knows
  out[threadIdx.x] = l;
}
__global__ void ok(unsigned *out) { out[threadIdx.x] = threadIdx.x; }
