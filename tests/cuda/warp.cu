__inline__ __device__ float warpSum(float v) {
  for (int off = warpSize / 2; off > 0; off /= 2) v += __shfl_down_sync(0xffffffff, v, off);
  return v;
}
__global__ void w(float *o, unsigned *b, int *lanes, const float *x, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  float v = i < n ? x[i] : 0.0f;
  float s = warpSum(v);
  int lane = threadIdx.x % warpSize, wid = threadIdx.x / warpSize;
  if (lane == 0) o[blockIdx.x * (blockDim.x / 32) + wid] = s;
  unsigned m = __ballot_sync(0xffffffff, v > 0.5f);
  if (lane == 0) b[blockIdx.x * (blockDim.x / 32) + wid] = m;
  lanes[i] = __shfl_xor_sync(0xffffffff, lane, 1) + 100 * __any_sync(0xffffffff, lane == 3) + 1000 * __all_sync(0xffffffff, lane < 31) + __shfl_sync(0xffffffff, lane, 0, 16);
}
