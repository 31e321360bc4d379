#define SCALE 2.0f
#include <cstdio>
#include "kernels.cu"
#include "helpers.cuh"
__global__ void add(float *a, const float *b, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) a[i] += b[i];
}
int main() { return 0; }
