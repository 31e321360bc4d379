// The classic off-by-one guard: `<=` lets thread n through.
// check: --grid 2 --block 64 --arg n=100 --arg a=2.5
__global__ void saxpy(int n, float a, const float* x, float* y)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i <= n)
        y[i] = a * x[i] + y[i];  // expect: PORT8004
}
