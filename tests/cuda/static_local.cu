__device__ int next_ticket() {
  static int counter = 100;
  return atomicAdd(&counter, 1);
}
__global__ void k(int *out) {
  static unsigned hist[4];
  out[threadIdx.x] = next_ticket();
  atomicAdd(&hist[threadIdx.x % 4], 1u);
  __syncthreads();
  if (threadIdx.x < 4) out[blockDim.x + threadIdx.x] = hist[threadIdx.x];
}
