// A shared counter incremented with a plain read-modify-write instead of atomicAdd.
// check: --grid 2 --block 64 --arg n=128
__global__ void count_positive(const float* x, int* total, int n)
{
    __shared__ int count;
    if (threadIdx.x == 0)
        count = 0;
    __syncthreads();
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n && x[i] > 0.0f)
        count = count + 1;  // expect: PORT8001
    __syncthreads();
    if (threadIdx.x == 0)
        atomicAdd(total, count);
}
