// No bounds guard at all: the grid is rounded up past n.
// check: --grid 'cdiv(n,64)' --block 64 --arg n=100
__global__ void square(float* x, int n)
{
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    float v = x[i];  // expect: PORT8004
    x[i] = v * v;    // expect: PORT8004
}
