// Only the first half of the block loads the shared tile; everyone reads its own slot.
// check: --grid 2 --block 64 --arg n=128
__global__ void scale(const float* x, float* y, int n)
{
    __shared__ float tile[64];
    int t = threadIdx.x;
    int i = blockIdx.x * blockDim.x + t;
    if (t < 32)
        tile[t] = x[i];
    __syncthreads();
    y[i] = 2.0f * tile[t];  // expect: PORT8003
}
