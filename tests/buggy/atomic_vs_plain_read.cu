// Thread 0 reads the shared sum while the other threads are still adding to it atomically.
// check: --grid 1 --block 64 --arg n=64
__global__ void block_sum(const int* x, int* out, int n)
{
    __shared__ int sum;
    if (threadIdx.x == 0)
        sum = 0;
    __syncthreads();
    atomicAdd(&sum, x[threadIdx.x]);
    if (threadIdx.x == 0)
        out[blockIdx.x] = sum;  // expect: PORT8001
}
