// Work-efficient exclusive scan of 2*BLOCK elements per block (Blelloch; GPU Gems 3, ch. 39):
// an up-sweep builds partial sums in a balanced tree in place, the root is cleared, and a
// down-sweep distributes the prefixes.
#define BLOCK 128

__global__ void block_scan(const float* __restrict__ in, float* __restrict__ out, int n)
{
    __shared__ float temp[2 * BLOCK];
    int tid = threadIdx.x;
    int base = blockIdx.x * 2 * BLOCK;

    temp[tid] = (base + tid < n) ? in[base + tid] : 0.0f;
    temp[tid + BLOCK] = (base + tid + BLOCK < n) ? in[base + tid + BLOCK] : 0.0f;

    int offset = 1;
    for (int d = BLOCK; d > 0; d >>= 1) {
        __syncthreads();
        if (tid < d) {
            int ai = offset * (2 * tid + 1) - 1;
            int bi = offset * (2 * tid + 2) - 1;
            temp[bi] += temp[ai];
        }
        offset *= 2;
    }

    if (tid == 0)
        temp[2 * BLOCK - 1] = 0.0f;

    for (int d = 1; d < 2 * BLOCK; d *= 2) {
        offset >>= 1;
        __syncthreads();
        if (tid < d) {
            int ai = offset * (2 * tid + 1) - 1;
            int bi = offset * (2 * tid + 2) - 1;
            float t = temp[ai];
            temp[ai] = temp[bi];
            temp[bi] += t;
        }
    }
    __syncthreads();

    if (base + tid < n)
        out[base + tid] = temp[tid];
    if (base + tid + BLOCK < n)
        out[base + tid + BLOCK] = temp[tid + BLOCK];
}
