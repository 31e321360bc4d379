// Full inclusive prefix sum of any length, as a recursive multi-block scan: scan_blocks scans
// each block (Hillis-Steele, double-buffered in shared memory) and writes the block totals;
// the totals are scanned the same way, one level up; add_block_offsets then adds each block's
// scanned predecessor total on the way back down.
#define BLOCK 256

__global__ void scan_blocks(const int* __restrict__ in, int* __restrict__ out,
                            int* __restrict__ block_sums, int n)
{
    __shared__ int buf[2][BLOCK];
    int tid = threadIdx.x;
    int i = blockIdx.x * BLOCK + tid;
    int pout = 0, pin = 1;

    buf[pout][tid] = (i < n) ? in[i] : 0;
    __syncthreads();
    for (int offset = 1; offset < BLOCK; offset *= 2) {
        pout = 1 - pout;
        pin = 1 - pout;
        if (tid >= offset)
            buf[pout][tid] = buf[pin][tid] + buf[pin][tid - offset];
        else
            buf[pout][tid] = buf[pin][tid];
        __syncthreads();
    }
    if (i < n)
        out[i] = buf[pout][tid];
    if (tid == BLOCK - 1)
        block_sums[blockIdx.x] = buf[pout][tid];
}

__global__ void add_block_offsets(int* __restrict__ out, const int* __restrict__ scanned_sums,
                                  int n)
{
    int i = blockIdx.x * BLOCK + threadIdx.x;
    if (blockIdx.x > 0 && i < n)
        out[i] += scanned_sums[blockIdx.x - 1];
}
