// A shared histogram whose bins are never zeroed before the atomics add to them (and whose
// upper half no atomic ever touches).
// check: --grid 2 --block 64 --arg n=128 --arg bins=32
__global__ void histogram(const int* x, int* bins, int n)
{
    __shared__ int local[32];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        atomicAdd(&local[x[i] % 16], 1);  // expect: PORT8003
    __syncthreads();
    if (threadIdx.x < 32)
        atomicAdd(&bins[threadIdx.x], local[threadIdx.x]);  // expect: PORT8003
}
