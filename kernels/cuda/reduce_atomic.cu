// Single-pass sum with atomics: every thread adds its element into a per-block shared
// accumulator, and one thread per block adds that into the global result.
__global__ void reduce_atomic(const float* __restrict__ in, float* total, int n)
{
    __shared__ float block_sum;
    if (threadIdx.x == 0)
        block_sum = 0.0f;
    __syncthreads();

    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        atomicAdd(&block_sum, in[i]);
    __syncthreads();

    if (threadIdx.x == 0)
        atomicAdd(total, block_sum);
}
