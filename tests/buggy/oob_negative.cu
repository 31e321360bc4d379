// A backward difference that forgets that thread 0 has no left neighbour.
// check: --grid 2 --block 64 --arg n=128
__global__ void diff(const float* x, float* d, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n)
        d[i] = x[i] - x[i - 1];  // expect: PORT8004
}
