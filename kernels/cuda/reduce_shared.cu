// Two-pass sum reduction through a shared-memory tree (Harris, "Optimizing Parallel Reduction
// in CUDA", kernel 6 without unrolling): each thread first accumulates a grid-stride slice, two
// elements per step; the block then halves the active threads with sequential addressing.
// Pass 1 writes one partial sum per block; pass 2 runs one block over the partials.
#define BLOCK_SIZE 256

__global__ void reduce_sum(const float* __restrict__ in, float* __restrict__ out, unsigned int n)
{
    __shared__ float sdata[BLOCK_SIZE];
    unsigned int tid = threadIdx.x;
    unsigned int i = blockIdx.x * (blockDim.x * 2) + threadIdx.x;
    unsigned int gridSize = blockDim.x * 2 * gridDim.x;

    float sum = 0.0f;
    while (i < n) {
        sum += in[i];
        if (i + blockDim.x < n)
            sum += in[i + blockDim.x];
        i += gridSize;
    }
    sdata[tid] = sum;
    __syncthreads();

    for (unsigned int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (tid < s)
            sdata[tid] += sdata[tid + s];
        __syncthreads();
    }
    if (tid == 0)
        out[blockIdx.x] = sdata[0];
}
