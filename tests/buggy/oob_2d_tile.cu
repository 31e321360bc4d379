// A 2-D tile read one column past its width: the flat offset stays inside the array, the
// column index does not.
// check: --grid 1 --block 8,8 --arg n=64
__global__ void right_neighbour(const float* x, float* y, int n)
{
    __shared__ float tile[8][8];
    int tx = threadIdx.x, ty = threadIdx.y;
    tile[ty][tx] = x[ty * 8 + tx];
    __syncthreads();
    y[ty * 8 + tx] = tile[ty][tx + 1];  // expect: PORT8004
}
