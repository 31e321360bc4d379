#include <curand_kernel.h>
__global__ void init(curandState *states, unsigned long long seed, unsigned long long base,
                     unsigned long long offset) {
  int tid = blockIdx.x * blockDim.x + threadIdx.x;
  curand_init(seed, base + tid, offset, &states[tid]);
}
__global__ void draw(curandState *states, unsigned *bits, float *u, float *g, double *ud,
                     double *gd, int n) {
  int tid = blockIdx.x * blockDim.x + threadIdx.x;
  curandState local = states[tid];
  for (int i = 0; i < n; i++) bits[tid * n + i] = curand(&local);
  u[tid] = curand_uniform(&local);
  g[2 * tid] = curand_normal(&local);
  g[2 * tid + 1] = curand_normal(&local);
  ud[tid] = curand_uniform_double(&local);
  gd[tid] = curand_normal_double(&local);
  states[tid] = local;
}
