// portable report test file: host code, a good kernel, a failing kernel, a template
#include <cstdio>
#include <cuda_runtime.h>

struct Pair { float a, b; };
__constant__ float coef[2];
__device__ unsigned int hits;

__global__ void good(float4 *v, Pair p, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  float s = __shfl_down_sync(0xffffffffu, v[i].x, 1);
  v[i].y = sqrtf(fabsf(s)) * coef[0] + p.a;
  atomicAdd(&hits, 1u);
}

__global__ void bad(int *out) {
  int *x = out;
  int **p = &x;
  out[threadIdx.x] = **p;
}

template <typename T, int B>
__global__ void block_sum(const T *in, T *out) {
  __shared__ T s[B];
  s[threadIdx.x] = in[blockIdx.x * B + threadIdx.x];
  __syncthreads();
  if (threadIdx.x == 0) {
    T t = 0;
    for (int k = 0; k < B; ++k) t += s[k];
    out[blockIdx.x] = t;
  }
}
template __global__ void block_sum<int, 32>(const int *, int *);

int main() {
  float4 *v;
  cudaMalloc(&v, 16 * sizeof(float4));
  good<<<1, 16>>>(v, Pair(), 16);
  printf("done\n");
  return 0;
}
