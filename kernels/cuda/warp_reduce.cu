// Block sums with warp shuffles (Luitjens, "Faster Parallel Reductions on Kepler"): each warp
// reduces its lanes with __shfl_down_sync, lane 0 of each warp parks the result in shared
// memory, and the first warp reduces those. One partial sum per block.
__inline__ __device__ float warpReduceSum(float val)
{
    for (int offset = warpSize / 2; offset > 0; offset /= 2)
        val += __shfl_down_sync(0xffffffff, val, offset);
    return val;
}

__global__ void warp_reduce(const float* __restrict__ in, float* __restrict__ out, int n)
{
    __shared__ float warp_sums[32];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int lane = threadIdx.x % warpSize;
    int wid = threadIdx.x / warpSize;

    float val = (i < n) ? in[i] : 0.0f;
    val = warpReduceSum(val);
    if (lane == 0)
        warp_sums[wid] = val;
    __syncthreads();

    val = (threadIdx.x < blockDim.x / warpSize) ? warp_sums[lane] : 0.0f;
    if (wid == 0) {
        val = warpReduceSum(val);
        if (lane == 0)
            out[blockIdx.x] = val;
    }
}
