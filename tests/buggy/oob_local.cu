// A per-thread scratch array indexed one past its size.
// check: --grid 1 --block 32 --arg n=32
__global__ void window(const int* x, int* y, int n)
{
    int w[8];
    for (int k = 0; k < 8; ++k)
        w[k] = x[(threadIdx.x + k) % n];
    int acc = 0;
    for (int k = 0; k <= 8; ++k)
        acc += w[k];  // expect: PORT8004
    y[threadIdx.x] = acc;
}
