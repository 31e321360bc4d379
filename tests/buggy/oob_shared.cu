// A shift through shared memory that reads one past the end of the tile.
// check: --grid 1 --block 64 --arg n=64
__global__ void shift_left(const float* x, float* y, int n)
{
    __shared__ float tile[64];
    int t = threadIdx.x;
    tile[t] = x[t];
    __syncthreads();
    y[t] = tile[t + 1];  // expect: PORT8004
}
