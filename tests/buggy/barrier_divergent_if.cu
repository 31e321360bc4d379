// A barrier inside a branch only half of the block takes.
// check: --grid 1 --block 64 --arg n=64
__global__ void half_sync(float* x, int n)
{
    __shared__ float s[64];
    s[threadIdx.x] = x[threadIdx.x];
    if (threadIdx.x < 32) {
        __syncthreads();  // expect: PORT3001 PORT8005
        x[threadIdx.x] = s[threadIdx.x + 32];
    }
}
