// Threads past the end return early, then the rest wait at a barrier for them.
// check: --grid 2 --block 64 --arg n=100
__global__ void tail(const float* x, float* y, int n)
{
    __shared__ float s[64];
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n)
        return;
    s[threadIdx.x] = x[i];
    __syncthreads();  // expect: PORT3001
    y[i] = s[threadIdx.x];
}
