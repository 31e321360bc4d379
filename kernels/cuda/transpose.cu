// Matrix transpose through a shared tile padded by one column so that the column-wise reads
// hit distinct banks (after the CUDA sample transposeNoBankConflicts). Blocks are
// TILE_DIM x BLOCK_ROWS threads; each thread moves TILE_DIM / BLOCK_ROWS elements.
#define TILE_DIM 32
#define BLOCK_ROWS 8

__global__ void transpose(float* __restrict__ odata, const float* __restrict__ idata,
                          int rows, int cols)
{
    __shared__ float tile[TILE_DIM][TILE_DIM + 1];

    int x = blockIdx.x * TILE_DIM + threadIdx.x;
    int y = blockIdx.y * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < cols && y + j < rows)
            tile[threadIdx.y + j][threadIdx.x] = idata[(y + j) * cols + x];

    __syncthreads();

    x = blockIdx.y * TILE_DIM + threadIdx.x;
    y = blockIdx.x * TILE_DIM + threadIdx.y;
    for (int j = 0; j < TILE_DIM; j += BLOCK_ROWS)
        if (x < rows && y + j < cols)
            odata[(y + j) * rows + x] = tile[threadIdx.x][threadIdx.y + j];
}
